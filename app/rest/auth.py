"""Who is calling the v1 REST API: an API key, sent as a bearer token or in X-API-Key."""

from starlette.requests import Request

from app.auth.authentication import authentication_of
from app.auth.principal import Principal
from app.kit.errors import Forbidden, Unauthenticated


def api_principal(request: Request, *, write: bool = False) -> Principal:
    """The key's principal; UNAUTHORIZED without a valid key, FORBIDDEN when a viewer writes."""
    found = authentication_of(request.scope)
    # The REST API is for servers; user access tokens stay with GraphQL.
    if found.credential_kind != "api_key":
        raise Unauthenticated("Send an API key: Authorization: Bearer hv_...")
    if found.principal is None:
        raise Unauthenticated("Invalid or revoked API key")
    if write and not found.principal.can_write:
        raise Forbidden("Viewer keys cannot make changes")
    return found.principal
