from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.connectors import models
from app.connectors.types import ConnectorSecretType
from app.graphql.actors import ActorKind
from app.kit.actors import actor_global_id
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id

strawberry.enum(
    models.ExecutionStatus,
    name="ActionExecutionStatus",
    description="Where a call of an outbound action is.",
)


@strawberry.type(description="Who asked for or approved a call.")
class ExecutionActor:
    kind: ActorKind = strawberry.field(description="A person, an API key, or Haven itself.")
    id: strawberry.ID | None = strawberry.field(description="Global id of the user or key.")
    name: str | None = strawberry.field(description="Their name when they acted.")


def _actor(kind: str | None, pk: object, name: str | None) -> ExecutionActor | None:
    if kind is None:
        return None
    found = actor_global_id(kind, pk) if pk is not None else None  # type: ignore[arg-type]
    return ExecutionActor(
        kind=ActorKind(kind), id=strawberry.ID(found) if found else None, name=name
    )


@strawberry.type(description="What a call sends: the method, URL and body, never header values.")
class ExecutionRequest:
    method: models.HttpMethod = strawberry.field(description="HTTP method.")
    url: str = strawberry.field(description="The endpoint with its placeholders filled.")
    header_names: list[str] = strawberry.field(description="Headers sent, by name only.")
    body: str = strawberry.field(description="The JSON body, as sent.")


@strawberry.type(
    name="ActionExecution",
    description="One call of a connector's outbound action, made from a safety case.",
)
class ActionExecutionNode:
    id: strawberry.ID = strawberry.field(description="Global id of the call (`axn_...`).")
    action_id: strawberry.ID = strawberry.field(description="Global id of the action.")
    case_id: strawberry.ID = strawberry.field(description="Global id of the case.")
    status: models.ExecutionStatus = strawberry.field(description="Where the call is.")
    idempotency_key: str = strawberry.field(
        description="Sent as `Idempotency-Key`, the same on every attempt."
    )
    reason: str = strawberry.field(description="Why it was asked for.")
    variables: JSON = strawberry.field(description="The values its placeholders were filled with.")
    request: ExecutionRequest = strawberry.field(description="What is sent.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    response_status: int | None = strawberry.field(description="HTTP status of the last answer.")
    response_excerpt: str | None = strawberry.field(
        description="The last answer's first 2 KB, as text."
    )
    error: str | None = strawberry.field(description="Why the last attempt did not succeed.")
    requested_by: ExecutionActor | None = strawberry.field(description="Who asked for it.")
    approved_by: ExecutionActor | None = strawberry.field(description="Who approved it.")
    approved_at: datetime | None = strawberry.field(description="When it was approved.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried again.")
    finished_at: datetime | None = strawberry.field(description="When it succeeded or failed.")
    created_at: datetime = strawberry.field(description="When it was asked for.")
    updated_at: datetime = strawberry.field(description="When it last changed.")

    @classmethod
    def from_row(
        cls, row: models.ActionExecution, header_names: list[str]
    ) -> "ActionExecutionNode":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("ActionExecution", row.id)),
            action_id=strawberry.ID(to_global_id("OutboundAction", row.action_id)),
            case_id=strawberry.ID(to_global_id("SafetyCase", row.case_id)),
            status=models.ExecutionStatus(row.status),
            variables=cast(JSON, row.variables),
            request=ExecutionRequest(
                method=models.HttpMethod(row.method),
                url=row.url,
                header_names=header_names,
                body=row.body,
            ),
            requested_by=_actor(row.requested_by_kind, row.requested_by_id, row.requested_by_name),
            approved_by=_actor(row.approved_by_kind, row.approved_by_id, row.approved_by_name),
        )


@strawberry.input
class RunConnectorActionInput:
    case_id: strawberry.ID = strawberry.field(description="Global id of the case.")
    action_id: strawberry.ID = strawberry.field(description="Global id of the outbound action.")
    reason: str = strawberry.field(description="Why, 1 to 2000 characters; also `{{reason}}`.")
    variables: JSON | None = strawberry.field(
        default=None,
        description="Values for placeholders the case does not fill (the case fills case_id, "
        "case_number, reason, and user_id and content_id when its tickets name them).",
    )


@strawberry.input
class ApproveConnectorActionInput:
    case_id: strawberry.ID = strawberry.field(description="Global id of the case.")
    execution_id: strawberry.ID = strawberry.field(description="Global id of the call.")


@strawberry.type
class ActionExecutionPayload:
    execution: ActionExecutionNode = strawberry.field(description="The call.")


@strawberry.input
class SetConnectorSecretInput:
    connector_id: strawberry.ID = strawberry.field(description="Global id of the connector.")
    name: str = strawberry.field(description="Letters, digits, underscores: `service_key`.")
    value: str = strawberry.field(description="4 to 2000 characters, no line breaks.")


@strawberry.type
class SetConnectorSecretPayload:
    secret: ConnectorSecretType = strawberry.field(description="The secret, without its value.")
    created: bool = strawberry.field(description="False when it replaced an earlier value.")
