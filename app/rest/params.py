"""What every /api/v1 handler reads the same way: the caller, ids in paths, enum filters, page
sizes, and timestamps in the document's form."""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.auth.principal import Principal
from app.graphql.context import authenticate, credentials
from app.kit.errors import NotFound, Unauthenticated
from app.kit.ids import expect_global_id
from app.kit.pagination import DEFAULT_PAGE, MAX_PAGE, Page
from app.rest.envelope import invalid
from app.services import Services


async def caller(request: Request) -> Principal:
    """The document has dashboard clients call with access tokens; server-to-server callers use
    API keys, so both go through the app's one authenticate()."""
    services: Services = request.app.state.services
    principal = await authenticate(services, credentials(request.headers))
    if principal is None:
        raise Unauthenticated("Send a bearer token: Authorization: Bearer <token>")
    return principal


def path_pk(raw: str, type_name: str, what: str) -> uuid.UUID:
    """A global id (`cas_<uuid>`) or its bare UUID; anything else is `what` not found."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        pass
    try:
        return expect_global_id(raw, type_name)
    except NotFound:
        raise NotFound(what) from None


def choice(params: QueryParams, key: str, allowed: type[StrEnum]) -> str | None:
    value = params.get(key)
    if value is not None and value not in {member.value for member in allowed}:
        raise invalid(f"{key} must be one of {', '.join(member.value for member in allowed)}")
    return value


def limit(params: QueryParams) -> int:
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_PAGE
    # Bounding the length first keeps int() away from absurd inputs.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_PAGE:
        raise invalid(f"limit must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the millisecond with a `Z`, as the /api/v1 part of the document shows."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def list_body(data: list[Any], page: Page[Any], total: int) -> dict[str, Any]:
    """The document's list shape: the rows, and the cursor of the last one when more follow."""
    following = page.items[-1][1] if page.has_next_page else None
    pagination = {"cursor": following, "has_more": page.has_next_page, "total": total}
    return {"data": data, "pagination": pagination}
