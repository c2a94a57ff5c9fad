"""Who is calling: the credentials a request carries, checked once per request.

`AuthenticationMiddleware` (app.web.authentication) runs `authenticate` once for each HTTP
request and keeps the outcome in the request's state; the body limit, the rate limiter, GraphQL
and the REST routes all read it from there, so a request never looks its caller up twice and
they all agree on who it is. WebSockets authenticate from `connection_init` instead (and again
for every operation, see app.realtime.connection)."""

from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

from app.auth import service as auth_service
from app.auth.principal import Principal
from app.auth.secrets import API_KEY_PREFIX
from app.kit.errors import HavenError, Unauthenticated
from app.services import Services

Credentials = tuple[str, str]
STATE_KEY = "authentication"


def credentials(headers: Any) -> Credentials | None:
    """("api_key", secret) or ("jwt", token) from X-API-Key or an Authorization bearer."""
    api_key = headers.get("x-api-key")
    if api_key:
        return "api_key", api_key.strip()
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    value = value.strip()
    return ("api_key", value) if value.startswith(API_KEY_PREFIX) else ("jwt", value)


async def authenticate(services: Services, found: Credentials | None) -> Principal | None:
    """The principal behind `found`; None for no credentials; UNAUTHENTICATED saying why
    credentials were refused."""
    if found is None:
        return None
    kind, secret = found
    if kind == "api_key":
        async with services.db.transaction() as work:
            return await auth_service.principal_from_api_key(work.session, secret)
    async with services.db.read() as session:
        return await auth_service.principal_from_access_token(session, services.signer, secret)


@dataclass(frozen=True)
class Authentication:
    """The outcome for one request: who, or why the credentials it sent were refused."""

    principal: Principal | None = None
    error: HavenError | None = None
    credential_kind: str | None = None

    def require(self) -> Principal:
        if self.principal is None:
            raise self.error or Unauthenticated("Sign in or send an API key")
        return self.principal


ANONYMOUS = Authentication()


async def authentication(services: Services, headers: Any) -> Authentication:
    found = credentials(headers)
    if found is None:
        return ANONYMOUS
    try:
        return Authentication(await authenticate(services, found), credential_kind=found[0])
    except HavenError as error:
        return Authentication(error=error, credential_kind=found[0])


def authentication_of(scope: Scope) -> Authentication:
    """What the middleware found for this request; anonymous where it does not run (sockets,
    public and exempt routes)."""
    found = scope.get("state", {}).get(STATE_KEY)
    return found if isinstance(found, Authentication) else ANONYMOUS
