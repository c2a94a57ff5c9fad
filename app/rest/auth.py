"""Who is calling the REST API: an API key, sent as a bearer token or in X-API-Key."""

from starlette.requests import Request

from app.auth.principal import Principal
from app.graphql.context import authenticate, credentials
from app.kit.errors import Forbidden, Unauthenticated
from app.services import Services


async def api_principal(services: Services, request: Request, *, write: bool = False) -> Principal:
    """The key's principal; UNAUTHORIZED without a valid key, FORBIDDEN when a viewer writes."""
    found = credentials(request.headers)
    # The REST API is for servers; user access tokens stay with GraphQL.
    if found is None or found[0] != "api_key":
        raise Unauthenticated("Send an API key: Authorization: Bearer hv_...")
    principal = await authenticate(services, found)
    if principal is None:
        raise Unauthenticated("Invalid or revoked API key")
    if write and not principal.can_write:
        raise Forbidden("Viewer keys cannot make changes")
    return principal
