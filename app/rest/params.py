"""What every /api/v1 handler reads the same way: the caller, ids in paths, enum filters and page
sizes."""

import uuid
from enum import StrEnum

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.auth.authentication import authentication_of
from app.auth.principal import Principal
from app.kit.errors import NotFound, Unauthenticated
from app.kit.ids import expect_global_id
from app.kit.pagination import DEFAULT_PAGE, MAX_PAGE
from app.rest.envelope import invalid


async def caller(request: Request) -> Principal:
    """The document has dashboard clients call with access tokens; server-to-server callers use
    API keys, so both are accepted, as the request authenticated them."""
    found = authentication_of(request.scope)
    if found.error is not None:
        raise found.error
    if found.principal is None:
        raise Unauthenticated("Send a bearer token: Authorization: Bearer <token>")
    return found.principal


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
