"""Calling connector actions from cases, and the connector secrets their headers use."""

import strawberry

from app.connectors import credentials, executions
from app.connectors.execution_types import (
    ActionExecutionNode,
    ActionExecutionPayload,
    ApproveConnectorActionInput,
    RunConnectorActionInput,
    SetConnectorSecretInput,
    SetConnectorSecretPayload,
)
from app.connectors.types import ConnectorSecretType
from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAdmin, IsAuthenticated
from app.kit.ids import expect_global_id


def _node(shown: executions.Shown) -> ActionExecutionNode:
    return ActionExecutionNode.from_row(shown.execution, shown.header_names)


@strawberry.type
class ConnectorActionQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The calls of connector actions made from a case, oldest first; a case "
        "the caller may not see is NOT_FOUND.",
    )
    async def connector_action_executions(
        self, info: Info, case_id: strawberry.ID
    ) -> list[ActionExecutionNode]:
        principal = info.context.require()
        pk = expect_global_id(case_id, "SafetyCase")
        async with info.context.services.db.read() as session:
            found = await executions.executions_of_case(session, principal, pk)
        return [_node(shown) for shown in found]


@strawberry.type
class ConnectorActionMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Call a connector's action for a case, with a reason: sent by a job, or "
        "first approved by a second person when the action needs four eyes. Missing or unknown "
        "variables are VALIDATION_ERROR, naming the variable; nothing is sent.",
    )
    async def run_connector_action(
        self, info: Info, input: RunConnectorActionInput
    ) -> ActionExecutionPayload:
        principal = info.context.require()
        request = executions.ActionRequest(
            case_id=expect_global_id(input.case_id, "SafetyCase"),
            action_id=expect_global_id(input.action_id, "OutboundAction"),
            variables=input.variables,
            reason=input.reason,
        )
        sealer = info.context.services.sealer
        async with info.context.services.db.transaction() as work:
            shown = await executions.request_execution(work.session, sealer, principal, request)
        return ActionExecutionPayload(execution=_node(shown))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Approve a call waiting for four eyes; then it is sent. The approver is a "
        "signed-in person other than the requester (SAME_PERSON_APPROVAL otherwise).",
    )
    async def approve_connector_action(
        self, info: Info, input: ApproveConnectorActionInput
    ) -> ActionExecutionPayload:
        principal = info.context.require()
        case_id = expect_global_id(input.case_id, "SafetyCase")
        execution_id = expect_global_id(input.execution_id, "ActionExecution")
        async with info.context.services.db.transaction() as work:
            shown = await executions.approve_execution(
                work.session, principal, case_id, execution_id
            )
        return ActionExecutionPayload(execution=_node(shown))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Set a named secret of a connector (`service_key`), used in its actions' "
        "headers as `{{name}}`; its value is never shown again.",
    )
    async def set_connector_secret(
        self, info: Info, input: SetConnectorSecretInput
    ) -> SetConnectorSecretPayload:
        tenant_id = info.context.require().tenant_id
        pk = expect_global_id(input.connector_id, "Connector")
        sealer = info.context.services.sealer
        async with info.context.services.db.transaction() as work:
            secret, created = await credentials.set_secret(
                work.session, tenant_id, sealer, pk, input.name, input.value
            )
        shown = ConnectorSecretType(
            name=secret.name, last4=secret.last4, updated_at=secret.updated_at
        )
        return SetConnectorSecretPayload(secret=shown, created=created)
