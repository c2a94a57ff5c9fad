"""/api/v1/webhook-endpoints: outbound webhook endpoints for tenant administrators, their
deliveries and attempts, secret rotation and replays."""

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.auth.principal import Principal
from app.kit.actors import Actor
from app.kit.errors import Forbidden, NotFound
from app.outbound_webhooks import service
from app.outbound_webhooks.bodies import (
    ENDPOINT_ID,
    WebhookDeliveryDetail,
    WebhookDeliveryPage,
    WebhookDeliverySummary,
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEndpointSummary,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    WebhookReplayed,
    WebhookReplaySince,
    WebhookSecretRotation,
)
from app.outbound_webhooks.models import DeliveryStatus
from app.outbound_webhooks.repository import DeliveryFilter, DeliveryRepository, EndpointRepository
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    choice_parameter,
    id_parameter,
)
from app.rest.operations import (
    Handler,
    JSONBody,
    Operation,
    Reply,
    read_body,
    read_optional_body,
    routes,
)
from app.rest.params import caller, choice, limit, path_pk
from app.services import Services


async def _admin(request: Request) -> Principal:
    principal = await caller(request)
    if not principal.is_admin:
        raise Forbidden("Only administrators can manage webhook endpoints")
    return principal


def _endpoint_pk(request: Request) -> uuid.UUID:
    return path_pk(request.path_params["endpoint_id"], "WebhookEndpoint", "Webhook endpoint")


def _delivery_pk(request: Request) -> uuid.UUID:
    return path_pk(request.path_params["delivery_id"], "WebhookDelivery", "Webhook delivery")


def _secret_shown(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def list_endpoints(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    size = limit(request.query_params)
    async with services.db.read() as session:
        endpoints = EndpointRepository(session, principal.tenant_id)
        page = await endpoints.page(None, size, request.query_params.get("cursor"))
        total = await endpoints.count(None)
    return JSONBody(
        WebhookEndpointPage.of(
            [WebhookEndpointSummary.of(row) for row, _ in page.items], page, total
        )
    )


async def create_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    body: WebhookEndpointCreate = await read_body(request, WebhookEndpointCreate)
    async with services.db.transaction() as work:
        row, secret = await service.create_endpoint(
            work.session,
            principal.tenant_id,
            services.sealer,
            services.outbound.allowed,
            body.model_dump(),
            actor=Actor.of(principal),
        )
    return _secret_shown(
        JSONBody(WebhookEndpointWithSecret.with_secret(row, secret), status_code=201)
    )


async def get_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    async with services.db.read() as session:
        row = await EndpointRepository(session, principal.tenant_id).get(pk)
    if row is None:
        raise NotFound("Webhook endpoint")
    return JSONBody(WebhookEndpointSummary.of(row))


async def update_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    body: WebhookEndpointUpdate = await read_body(request, WebhookEndpointUpdate)
    async with services.db.transaction() as work:
        row = await service.update_endpoint(
            work.session,
            principal.tenant_id,
            services.outbound.allowed,
            pk,
            body.model_dump(),
            actor=Actor.of(principal),
        )
    return JSONBody(WebhookEndpointSummary.of(row))


async def delete_endpoint(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    async with services.db.transaction() as work:
        await service.delete_endpoint(
            work.session, principal.tenant_id, pk, actor=Actor.of(principal)
        )
    return Response(status_code=204)


async def rotate_secret(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    grace = (await read_optional_body(request, WebhookSecretRotation)).grace()
    async with services.db.transaction() as work:
        row, secret = await service.rotate_secret(
            work.session, principal.tenant_id, services.sealer, pk, grace, actor=Actor.of(principal)
        )
    return _secret_shown(JSONBody(WebhookEndpointWithSecret.with_secret(row, secret)))


async def list_deliveries(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    params = request.query_params
    where = DeliveryFilter(pk, choice(params, "status", DeliveryStatus))
    async with services.db.read() as session:
        if await EndpointRepository(session, principal.tenant_id).get(pk) is None:
            raise NotFound("Webhook endpoint")
        deliveries = DeliveryRepository(session, principal.tenant_id)
        page = await deliveries.page(where, limit(params), params.get("cursor"))
        total = await deliveries.count(where)
    return JSONBody(
        WebhookDeliveryPage.of(
            [WebhookDeliverySummary.of(row) for row, _ in page.items], page, total
        )
    )


async def get_delivery(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk, delivery_pk = await _admin(request), _endpoint_pk(request), _delivery_pk(request)
    async with services.db.read() as session:
        deliveries = DeliveryRepository(session, principal.tenant_id)
        row = await deliveries.of_endpoint(pk, delivery_pk)
        if row is None:
            raise NotFound("Webhook delivery")
        attempts = (await deliveries.attempts([row.id]))[row.id]
    return JSONBody(WebhookDeliveryDetail.detail(row, attempts))


async def replay_delivery(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk, delivery_pk = await _admin(request), _endpoint_pk(request), _delivery_pk(request)
    async with services.db.transaction() as work:
        row = await service.replay_delivery(
            work.session, principal.tenant_id, pk, delivery_pk, actor=Actor.of(principal)
        )
    return JSONBody(WebhookDeliverySummary.of(row), status_code=202)


async def replay_failed(request: Request) -> Response:
    services: Services = request.app.state.services
    principal, pk = await _admin(request), _endpoint_pk(request)
    since = (await read_body(request, WebhookReplaySince)).moment()
    async with services.db.transaction() as work:
        count = await service.replay_failed(
            work.session, principal.tenant_id, pk, since, actor=Actor.of(principal)
        )
    return JSONBody(WebhookReplayed(replayed=count), status_code=202)


BASE = "/api/v1/webhook-endpoints"
ONE = f"{BASE}/{{endpoint_id}}"
DELIVERY = f"{ONE}/deliveries/{{delivery_id}}"
ENDPOINT_PATH_ID = id_parameter("endpoint_id", "WebhookEndpoint", "webhook endpoint", ENDPOINT_ID)
DELIVERY_PATH_ID = id_parameter(
    "delivery_id", "WebhookDelivery", "webhook delivery", "whd_c1d2e3f4-a5b6-7c8d-9e0f-a1b2c3d4e5f6"
)
NO_STORE = {
    "Cache-Control": {
        "description": "The body holds a signing secret: no cache may keep it",
        "schema": {"const": "no-store"},
    }
}
TAG = "webhook-endpoints"
WITH_SECRET = WebhookEndpointWithSecret
ERRORS = (400, 401, 403, 404, 413, 429)


def _op(
    method: str, path: str, handler: Handler, name: str, summary: str, **rest: Any
) -> Operation:
    return Operation(method, path, handler, name, TAG, summary, TOKEN_OR_KEY, **rest)


WEBHOOK_ENDPOINT_OPERATIONS = [
    _op(
        "GET", BASE, list_endpoints, "listWebhookEndpoints", "The tenant's webhook endpoints",
        replies={200: Reply("One page of endpoints", WebhookEndpointPage)},
        errors=(400, 401, 403, 429), parameters=[CURSOR_PARAMETER, LIMIT_PARAMETER],
    ),
    _op(
        "POST", BASE, create_endpoint, "createWebhookEndpoint",
        "Create an endpoint; its signing secret is returned once",
        replies={201: Reply("The endpoint, with its secret", WITH_SECRET, headers=NO_STORE)},
        errors=(400, 401, 403, 413, 429), body=WebhookEndpointCreate,
        body_example={"url": "https://hooks.example.com/haven", "events": ["ticket_created"]},
    ),
    _op(
        "GET", ONE, get_endpoint, "getWebhookEndpoint", "One webhook endpoint",
        replies={200: Reply("The endpoint", WebhookEndpointSummary)}, errors=(401, 403, 404, 429),
        parameters=[ENDPOINT_PATH_ID],
    ),
    _op(
        "PATCH", ONE, update_endpoint, "updateWebhookEndpoint",
        "Change an endpoint; `active: true` turns it back on",
        replies={200: Reply("The endpoint", WebhookEndpointSummary)}, errors=ERRORS,
        parameters=[ENDPOINT_PATH_ID], body=WebhookEndpointUpdate, body_example={"active": False},
    ),
    _op(
        "DELETE", ONE, delete_endpoint, "deleteWebhookEndpoint",
        "Delete an endpoint and its deliveries",
        replies={204: Reply("Deleted")}, errors=(401, 403, 404, 429),
        parameters=[ENDPOINT_PATH_ID],
    ),
    _op(
        "POST", f"{ONE}/rotate-secret", rotate_secret, "rotateWebhookEndpointSecret",
        "Issue a new signing secret; both sign during the grace period",
        replies={200: Reply("The new secret, shown once", WITH_SECRET, headers=NO_STORE)},
        errors=ERRORS, parameters=[ENDPOINT_PATH_ID], body=WebhookSecretRotation,
        body_example={"grace_seconds": 3600}, body_required=False,
    ),
    _op(
        "GET", f"{ONE}/deliveries", list_deliveries, "listWebhookDeliveries",
        "The endpoint's deliveries, latest event first",
        replies={200: Reply("One page of deliveries", WebhookDeliveryPage)},
        errors=(400, 401, 403, 404, 429),
        parameters=[
            ENDPOINT_PATH_ID,
            choice_parameter("status", DeliveryStatus, "Filter by status"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    _op(
        "GET", DELIVERY, get_delivery, "getWebhookDelivery", "One delivery and its attempts",
        replies={200: Reply("The delivery", WebhookDeliveryDetail)}, errors=(401, 403, 404, 429),
        parameters=[ENDPOINT_PATH_ID, DELIVERY_PATH_ID],
    ),
    _op(
        "POST", f"{DELIVERY}/replay", replay_delivery, "replayWebhookDelivery",
        "Send a delivery again, under the same webhook-id",
        replies={202: Reply("The delivery, pending again", WebhookDeliverySummary)},
        errors=(401, 403, 404, 429), parameters=[ENDPOINT_PATH_ID, DELIVERY_PATH_ID],
    ),
    _op(
        "POST", f"{ONE}/replay", replay_failed, "replayFailedWebhookDeliveries",
        "Send again every delivery that failed since a moment",
        replies={202: Reply("How many are pending again", WebhookReplayed)}, errors=ERRORS,
        parameters=[ENDPOINT_PATH_ID], body=WebhookReplaySince,
        body_example={"since": "2026-04-02T00:00:00Z"},
    ),
]  # fmt: skip


def webhook_endpoint_routes() -> list[BaseRoute]:
    return routes(WEBHOOK_ENDPOINT_OPERATIONS)
