"""/api/v1/connectors: connector management for tenant administrators, as the API document
describes it, plus secret rotation and deactivation."""

import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.auth.principal import Principal
from app.connectors import service, views
from app.connectors.models import ConnectorStatus
from app.connectors.repository import ConnectorRepository
from app.kit.errors import Forbidden
from app.rest.envelope import bounded_body, endpoint, invalid, json_object, parse_object
from app.rest.params import caller, choice, limit, list_body, path_pk
from app.services import Services

MAX_GRACE_SECONDS = int(service.MAX_GRACE.total_seconds())


async def _admin(request: Request) -> Principal:
    principal = await caller(request)
    if not principal.is_admin:
        raise Forbidden("Only administrators can manage connectors")
    return principal


def _connector_pk(request: Request) -> uuid.UUID:
    """`con_<uuid>` or the bare UUID; anything else is a connector that does not exist."""
    return path_pk(request.path_params["connector_id"], "Connector", "Connector")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{key} is required and must be a string")
    return value


def _grace(data: dict[str, Any]) -> timedelta:
    value = data.get("grace_seconds", int(service.DEFAULT_GRACE.total_seconds()))
    # bool is an int to Python, not to a caller who sent `true`.
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("grace_seconds must be a whole number of seconds")
    if not 0 <= value <= MAX_GRACE_SECONDS:
        raise invalid(f"grace_seconds must be from 0 to {MAX_GRACE_SECONDS}")
    return timedelta(seconds=value)


@endpoint
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
    data = [views.summary(row, counts[row.id], services.settings) for row in rows]
    return JSONResponse(list_body(data, page, total))


@endpoint
async def create_connector(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    data = await json_object(request)
    name, kind = _text(data, "name"), _text(data, "type")
    async with services.db.transaction() as work:
        connector, secret = await service.create_connector(
            work.session,
            principal.tenant_id,
            services.sealer,
            name=name,
            type=kind,
            config=data.get("config"),
        )
    body = views.with_secret(connector, secret, services.settings)
    return JSONResponse(body, status_code=201, headers={"Cache-Control": "no-store"})


@endpoint
async def save_mapping(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk, data = _connector_pk(request), await json_object(request)
    async with services.db.transaction() as work:
        mapping, created = await service.save_mapping(
            work.session,
            principal.tenant_id,
            pk,
            data.get("event_type"),
            data.get("field_mappings"),
        )
    # Saving an event type's mapping again replaces it: 200, not a second 201.
    return JSONResponse(views.mapping(mapping), status_code=201 if created else 200)


@endpoint
async def create_action(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk, data = _connector_pk(request), await json_object(request)
    async with services.db.transaction() as work:
        action = await service.create_action(work.session, principal.tenant_id, pk, data)
    return JSONResponse(views.action(action), status_code=201)


@endpoint
async def rotate_secret(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    # The body is optional: no body rotates with the default grace period.
    raw = await bounded_body(request)
    grace = _grace(parse_object(raw) if raw.strip() else {})
    async with services.db.transaction() as work:
        connector, secret = await service.rotate_secret(
            work.session, principal.tenant_id, services.sealer, pk, grace
        )
    body = views.rotated(connector, secret, services.settings)
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@endpoint
async def deactivate(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await _admin(request)
    pk = _connector_pk(request)
    async with services.db.transaction() as work:
        connector = await service.set_active(work.session, principal.tenant_id, pk, False)
        repository = ConnectorRepository(work.session, principal.tenant_id)
        counts = await repository.counts([connector.id])
    return JSONResponse(views.summary(connector, counts[connector.id], services.settings))


def connector_routes() -> list[BaseRoute]:
    base = "/api/v1/connectors"
    return [
        Route(base, list_connectors, methods=["GET"]),
        Route(base, create_connector, methods=["POST"]),
        Route(f"{base}/{{connector_id}}/mappings", save_mapping, methods=["POST"]),
        Route(f"{base}/{{connector_id}}/actions", create_action, methods=["POST"]),
        Route(f"{base}/{{connector_id}}/rotate-secret", rotate_secret, methods=["POST"]),
        Route(f"{base}/{{connector_id}}/deactivate", deactivate, methods=["POST"]),
    ]
