"""/api/v1/connectors: connector management for tenant administrators, as the API document
describes it, plus secret rotation and deactivation."""

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.auth.principal import Principal
from app.connectors import service
from app.connectors.bodies import (
    CONNECTOR_ID,
    FIELD_MAPPINGS,
    SUMMARY,
    Action,
    ActionCreate,
    ConnectorCreate,
    ConnectorCreated,
    ConnectorPage,
    ConnectorRotated,
    ConnectorSummary,
    Mapping,
    MappingCreate,
    SecretRotation,
)
from app.connectors.models import ConnectorStatus
from app.connectors.repository import ConnectorRepository
from app.kit.errors import Forbidden
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    choice_parameter,
    id_parameter,
)
from app.rest.operations import JSONBody, Operation, Reply, read_body, read_optional_body, routes
from app.rest.params import caller, choice, limit, path_pk
from app.services import Services


async def _admin(request: Request) -> Principal:
    principal = await caller(request)
    if not principal.is_admin:
        raise Forbidden("Only administrators can manage connectors")
    return principal


def _connector_pk(request: Request) -> uuid.UUID:
    """`con_<uuid>` or the bare UUID; anything else is a connector that does not exist."""
    return path_pk(request.path_params["connector_id"], "Connector", "Connector")


def _secret_shown(response: Response) -> Response:
    # The body holds a signing secret: no cache along the way may keep it (NO_STORE below).
    response.headers["Cache-Control"] = "no-store"
    return response


async def list_connectors(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    params = request.query_params
    status, size = choice(params, "status", ConnectorStatus), limit(params)
    async with services.db.read() as session:
        connectors = ConnectorRepository(session, principal.tenant_id)
        page = await connectors.page(status, size, params.get("cursor"))
        rows = [connector for connector, _ in page.items]
        counts = await connectors.counts([connector.id for connector in rows])
        total = await connectors.count(status)
    data = [ConnectorSummary.of(row, counts[row.id], services.settings) for row in rows]
    return JSONBody(ConnectorPage.of(data, page, total))


async def create_connector(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    body: ConnectorCreate = await read_body(request, ConnectorCreate)
    async with services.db.transaction() as work:
        connector, secret = await service.create_connector(
            work.session,
            principal.tenant_id,
            services.sealer,
            name=body.name,
            type=body.type,
            config=body.config,
        )
    created = ConnectorCreated.of(connector, secret, services.settings)
    return _secret_shown(JSONBody(created, status_code=201))


async def save_mapping(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    body: MappingCreate = await read_body(request, MappingCreate)
    async with services.db.transaction() as work:
        mapping, created = await service.save_mapping(
            work.session, principal.tenant_id, pk, body.event_type, body.field_mappings
        )
    # Saving an event type's mapping again replaces it: 200, not a second 201.
    return JSONBody(Mapping.of(mapping), status_code=201 if created else 200)


async def create_action(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    body: ActionCreate = await read_body(request, ActionCreate)
    async with services.db.transaction() as work:
        action = await service.create_action(
            work.session, principal.tenant_id, pk, body.model_dump(), services.outbound.allowed
        )
    return JSONBody(Action.of(action), status_code=201)


async def rotate_secret(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    # The body is optional: no body rotates with the default grace period.
    rotation = await read_optional_body(request, SecretRotation)
    grace = rotation.grace()
    async with services.db.transaction() as work:
        connector, secret = await service.rotate_secret(
            work.session, principal.tenant_id, services.sealer, pk, grace
        )
    return _secret_shown(JSONBody(ConnectorRotated.of(connector, secret, services.settings)))


async def deactivate(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    async with services.db.transaction() as work:
        connector = await service.set_active(work.session, principal.tenant_id, pk, False)
        repository = ConnectorRepository(work.session, principal.tenant_id)
        counts = await repository.counts([connector.id])
    return JSONBody(ConnectorSummary.of(connector, counts[connector.id], services.settings))


BASE = "/api/v1/connectors"
CONNECTOR_PATH_ID = id_parameter("connector_id", "Connector", "connector", CONNECTOR_ID)
# The header `_secret_shown` sets, as the document describes it.
NO_STORE = {
    "Cache-Control": {
        "description": "The body holds a signing secret: no cache may keep it",
        "schema": {"const": "no-store"},
    }
}
# Where a client goes on from the connector it made: each takes `connector_id` from the body.
NEXT = {
    name: {"operationId": operation, "parameters": {"connector_id": "$response.body#/id"}}
    for name, operation in (
        ("AddMapping", "createConnectorMapping"),
        ("AddAction", "createConnectorAction"),
        ("RotateSecret", "rotateConnectorSecret"),
        ("Deactivate", "deactivateConnector"),
    )
}

CONNECTOR_OPERATIONS = [
    Operation(
        "GET",
        BASE,
        list_connectors,
        "listConnectors",
        "connectors",
        "The tenant's connectors",
        TOKEN_OR_KEY,
        {200: Reply("One page of connectors", ConnectorPage)},
        errors=(400, 401, 403, 429),
        parameters=[
            choice_parameter("status", ConnectorStatus, "Filter by status"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    Operation(
        "POST",
        BASE,
        create_connector,
        "createConnector",
        "connectors",
        "Create a connector; its signing secret is returned once",
        TOKEN_OR_KEY,
        {
            201: Reply(
                "The connector, with its signing secret",
                ConnectorCreated,
                links=NEXT,
                headers=NO_STORE,
            )
        },
        errors=(400, 401, 403, 413, 429),
        body=ConnectorCreate,
        body_example={"name": "Dating Frame Staging", "type": "webhook"},
    ),
    Operation(
        "POST",
        f"{BASE}/{{connector_id}}/mappings",
        save_mapping,
        "createConnectorMapping",
        "connectors",
        "Map an event type's fields to ticket fields",
        TOKEN_OR_KEY,
        {
            201: Reply("The mapping was created", Mapping),
            200: Reply("The event type's earlier mapping was replaced", Mapping),
        },
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CONNECTOR_PATH_ID],
        body=MappingCreate,
        body_example={"event_type": "user_reported", "field_mappings": FIELD_MAPPINGS},
    ),
    Operation(
        "POST",
        f"{BASE}/{{connector_id}}/actions",
        create_action,
        "createConnectorAction",
        "connectors",
        "Define an action Haven can call on the platform",
        TOKEN_OR_KEY,
        {201: Reply("The action", Action)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CONNECTOR_PATH_ID],
        body=ActionCreate,
        body_example={
            "action_type": "suspend_user",
            "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
            "method": "POST",
            "headers": {"X-Service-Key": "{{service_key}}"},
            "payload_template": '{ "reason": "{{reason}}", "duration": "{{duration}}" }',
        },
    ),
    Operation(
        "POST",
        f"{BASE}/{{connector_id}}/rotate-secret",
        rotate_secret,
        "rotateConnectorSecret",
        "connectors",
        "Issue a new signing secret; the old one verifies for a grace period",
        TOKEN_OR_KEY,
        {200: Reply("The new secret, shown once", ConnectorRotated, headers=NO_STORE)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CONNECTOR_PATH_ID],
        body=SecretRotation,
        body_example={"grace_seconds": 3600},
        body_required=False,
    ),
    Operation(
        "POST",
        f"{BASE}/{{connector_id}}/deactivate",
        deactivate,
        "deactivateConnector",
        "connectors",
        "Stop accepting the connector's events",
        TOKEN_OR_KEY,
        {
            200: Reply(
                "The connector, now inactive",
                ConnectorSummary,
                example={**SUMMARY, "status": "inactive"},
            )
        },
        errors=(401, 403, 404, 429),
        parameters=[CONNECTOR_PATH_ID],
    ),
]


def connector_routes() -> list[BaseRoute]:
    return routes(CONNECTOR_OPERATIONS)
