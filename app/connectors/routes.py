"""/api/v1/cases/{case_id}/actions: calling a connector's actions from a case, and approving
calls that need four eyes; /api/v1/connectors/{connector_id}/secrets: the named secrets their
headers use, set by administrators and never read back. Bodies are typed models beside their
handlers, describing themselves in the generated document."""

import uuid
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, WithJsonSchema
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.connectors import credentials, executions
from app.connectors.execution_states import ExecutionRefused
from app.connectors.models import ConnectorSecret, ExecutionStatus, HttpMethod
from app.connectors.repository import ConnectorRepository
from app.connectors.rest import CONNECTOR_PATH_ID
from app.kit.actors import shown_name
from app.kit.attributes import from_attributes
from app.kit.errors import Forbidden, NotFound
from app.rest.openapi_schemas import TOKEN_OR_KEY, id_parameter, refusal
from app.rest.operations import JSONBody, Operation, Reply, read_body, routes
from app.rest.params import caller, path_pk
from app.rest.types import ActionId, Body, CaseId, Prefixed, Timestamp
from app.services import Services

ExecutionId = Annotated[uuid.UUID, Prefixed("ActionExecution", "action execution")]
CASE_ID = "cas_e1f2a3b4-c5d6-7e8f-9a0b-c1d2e3f4a5b6"
ACTION_ID = "act_d1e2f3a4-b5c6-7d8e-9f0a-b1c2d3e4f5a6"
EXECUTION_ID = "axn_a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d"
EXECUTION: dict[str, Any] = {
    "id": EXECUTION_ID,
    "case_id": CASE_ID,
    "action_id": ACTION_ID,
    "status": "awaiting_approval",
    "idempotency_key": "haven-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
    "reason": "Repeated threats in messages",
    "variables": {"case_id": CASE_ID, "user_id": "usr_e5f6g7h8", "duration": "7d"},
    "request": {
        "method": "POST",
        "url": "https://api.datingframe.com/v2/users/usr_e5f6g7h8/suspend",
        "header_names": ["X-Service-Key", "Content-Type", "Idempotency-Key"],
        "body": '{ "reason": "Repeated threats in messages", "duration": "7d" }',
    },
    "attempts": 0,
    "response_status": None,
    "response_excerpt": None,
    "error": None,
    "requested_by": "Sam Agent",
    "approved_by": None,
    "approved_at": None,
    "next_attempt_at": None,
    "finished_at": None,
    "created_at": "2026-04-02T15:40:00.000Z",
    "updated_at": "2026-04-02T15:40:00.000Z",
}


class ExecutionRequestBody(Body):
    method: HttpMethod
    url: str = Field(description="The endpoint with its placeholders filled")
    header_names: list[str] = Field(description="Headers sent, by name; values are never shown")
    body: str = Field(description="The JSON body as sent")


class ActionExecutionBody(Body):
    """One call of an outbound action made from a case."""

    model_config = ConfigDict(json_schema_extra={"example": EXECUTION})

    id: ExecutionId
    case_id: CaseId
    action_id: ActionId
    status: ExecutionStatus
    idempotency_key: str = Field(description="Sent as Idempotency-Key, the same on every attempt")
    reason: str
    variables: dict[str, Any]
    request: ExecutionRequestBody
    attempts: int = Field(ge=0)
    response_status: int | None
    response_excerpt: str | None = Field(description="The last answer's first 2 KB")
    error: str | None
    requested_by: str = Field(description="`system` or the person's name")
    approved_by: str | None
    approved_at: Timestamp | None
    next_attempt_at: Timestamp | None
    finished_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, shown: executions.Shown) -> "ActionExecutionBody":
        row = shown.execution
        approved = (
            shown_name(row.approved_by_kind, row.approved_by_name) if row.approved_by_kind else None
        )
        return from_attributes(
            cls,
            row,
            request=ExecutionRequestBody(
                method=HttpMethod(row.method),
                url=row.url,
                header_names=shown.header_names,
                body=row.body,
            ),
            requested_by=shown_name(row.requested_by_kind, row.requested_by_name),
            approved_by=approved,
        )


class ActionExecutionList(Body):
    model_config = ConfigDict(json_schema_extra={"example": {"data": [EXECUTION]}})

    data: list[ActionExecutionBody]


class ActionRun(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {
        "action_id": "action_id is required and must be a string",
        "action_id.missing": "action_id is required and must be a string",
        "reason": "reason is required and must be a string",
        "reason.missing": "reason is required and must be a string",
    }

    action_id: Annotated[
        str,
        WithJsonSchema({"type": "string", "description": "The action's global id (`act_<uuid>`)"}),
    ]
    reason: str = Field(description="Why, 1 to 2000 characters; also fills `{{reason}}`")
    variables: Annotated[
        Any,
        WithJsonSchema(
            {
                "type": ["object", "null"],
                "maxProperties": 30,
                "additionalProperties": {"type": ["string", "number", "boolean"]},
                "description": "Values for placeholders the case does not fill (it fills "
                "case_id, case_number, reason, and user_id and content_id when its tickets "
                "name them)",
            }
        ),
    ] = None


class SecretSet(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="Letters, digits and underscores: `service_key`")
    value: str = Field(description="4 to 2000 characters, no line breaks; never shown again")


class SecretShown(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "service_key",
                "last4": "9f3a",
                "updated_at": "2026-04-02T15:36:00.000Z",
            }
        }
    )

    name: str
    last4: str = Field(description="The secret's last four characters")
    updated_at: Timestamp

    @classmethod
    def of(cls, row: ConnectorSecret) -> "SecretShown":
        return from_attributes(cls, row)


class SecretList(Body):
    data: list[SecretShown]


def _case_pk(request: Request) -> uuid.UUID:
    return path_pk(request.path_params["case_id"], "SafetyCase", "Case")


async def list_executions(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = _case_pk(request)
    async with services.db.read() as session:
        found = await executions.executions_of_case(session, principal, pk)
    return JSONBody(ActionExecutionList(data=[ActionExecutionBody.of(s) for s in found]))


async def run_action(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = _case_pk(request)
    body: ActionRun = await read_body(request, ActionRun)
    asked = executions.ActionRequest(
        case_id=pk,
        action_id=path_pk(body.action_id, "OutboundAction", "Action"),
        variables=body.variables,
        reason=body.reason,
    )
    async with services.db.transaction() as work:
        shown = await executions.request_execution(work.session, services.sealer, principal, asked)
    return JSONBody(ActionExecutionBody.of(shown), status_code=201)


async def approve(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = _case_pk(request)
    execution_pk = path_pk(
        request.path_params["execution_id"], "ActionExecution", "Action execution"
    )
    async with services.db.transaction() as work:
        shown = await executions.approve_execution(work.session, principal, pk, execution_pk)
    return JSONBody(ActionExecutionBody.of(shown))


async def _admin_connector(request: Request) -> tuple[Services, uuid.UUID, uuid.UUID]:
    services: Services = request.app.state.services
    principal = await caller(request)
    if not principal.is_admin:
        raise Forbidden("Only administrators can manage connectors")
    pk = path_pk(request.path_params["connector_id"], "Connector", "Connector")
    return services, principal.tenant_id, pk


async def list_secrets(request: Request) -> Response:
    services, tenant_id, pk = await _admin_connector(request)
    async with services.db.read() as session:
        connectors = ConnectorRepository(session, tenant_id)
        if await connectors.get(pk) is None:
            raise NotFound("Connector")
        rows = await connectors.secrets([pk])
    return JSONBody(SecretList(data=[SecretShown.of(row) for row in rows]))


async def set_secret(request: Request) -> Response:
    services, tenant_id, pk = await _admin_connector(request)
    body: SecretSet = await read_body(request, SecretSet)
    async with services.db.transaction() as work:
        secret, created = await credentials.set_secret(
            work.session, tenant_id, services.sealer, pk, body.name, body.value
        )
    return JSONBody(SecretShown.of(secret), status_code=201 if created else 200)


CASE_ACTIONS = "/api/v1/cases/{case_id}/actions"
CASE_PATH_ID = id_parameter("case_id", "SafetyCase", "case", CASE_ID)
EXECUTION_PATH_ID = id_parameter("execution_id", "ActionExecution", "call", EXECUTION_ID)
REFUSED = refusal(
    "The call's workflow refuses the step; nothing changes. Codes: SAME_PERSON_APPROVAL (the "
    "approver must be a signed-in person other than the requester), "
    "INVALID_EXECUTION_TRANSITION (the call is not waiting for approval), CONNECTOR_INACTIVE",
    [kind.code for kind in ExecutionRefused.__subclasses__()],
    {
        "code": "SAME_PERSON_APPROVAL",
        "message": "The call must be approved by a signed-in person other than the one who "
        "asked for it",
    },
)

ACTION_OPERATIONS = [
    Operation(
        "GET",
        CASE_ACTIONS,
        list_executions,
        "listCaseActionExecutions",
        "cases",
        "Calls of connector actions made from the case, oldest first",
        TOKEN_OR_KEY,
        {200: Reply("The case's calls", ActionExecutionList)},
        errors=(401, 404, 429),
        parameters=[CASE_PATH_ID],
    ),
    Operation(
        "POST",
        CASE_ACTIONS,
        run_action,
        "runCaseAction",
        "cases",
        "Call a connector action for the case: queued for sending, or waiting for a second "
        "person's approval when the action needs four eyes",
        TOKEN_OR_KEY,
        {201: Reply("The call, queued or awaiting approval", ActionExecutionBody)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CASE_PATH_ID],
        body=ActionRun,
        body_example={
            "action_id": ACTION_ID,
            "reason": "Repeated threats in messages",
            "variables": {"duration": "7d"},
        },
        extra={"422": REFUSED},
    ),
    Operation(
        "POST",
        f"{CASE_ACTIONS}/{{execution_id}}/approve",
        approve,
        "approveCaseAction",
        "cases",
        "Approve a call waiting for four eyes; it is then sent",
        TOKEN_OR_KEY,
        {200: Reply("The call, queued for sending", ActionExecutionBody)},
        errors=(401, 403, 404, 429),
        parameters=[CASE_PATH_ID, EXECUTION_PATH_ID],
        extra={"422": REFUSED},
    ),
    Operation(
        "GET",
        "/api/v1/connectors/{connector_id}/secrets",
        list_secrets,
        "listConnectorSecrets",
        "connectors",
        "The connector's named secrets: names and last four characters only",
        TOKEN_OR_KEY,
        {200: Reply("The secrets, without their values", SecretList)},
        errors=(401, 403, 404, 429),
        parameters=[CONNECTOR_PATH_ID],
    ),
    Operation(
        "POST",
        "/api/v1/connectors/{connector_id}/secrets",
        set_secret,
        "setConnectorSecret",
        "connectors",
        "Set a named secret for action headers (`{{service_key}}`); never shown again",
        TOKEN_OR_KEY,
        {
            201: Reply("The secret was created", SecretShown),
            200: Reply("The secret's earlier value was replaced", SecretShown),
        },
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CONNECTOR_PATH_ID],
        body=SecretSet,
        body_example={"name": "service_key", "value": "sk_live_example_9f3a"},
    ),
]


def action_routes() -> list[BaseRoute]:
    return routes(ACTION_OPERATIONS)
