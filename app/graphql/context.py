"""The per-request GraphQL context: who is calling, and fresh DataLoaders."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from starlette.requests import HTTPConnection

from app.auth import service as auth_service
from app.auth.principal import Principal
from app.auth.secrets import API_KEY_PREFIX
from app.graphql.loaders import Loaders
from app.kit.errors import HavenError, Unauthenticated
from app.realtime.hub import Watcher
from app.services import Services


@dataclass
class Context:
    services: Services
    connection: HTTPConnection | None
    principal: Principal | None
    auth_error: HavenError | None = None
    response: Any = None
    # Set from `connection_init` on WebSocket connections.
    connection_params: dict[str, Any] | None = None
    # The WebSocket connection an operation runs on: its subscriptions stop when it is
    # suspended by an access change.
    live: Watcher | None = None

    def require(self) -> Principal:
        """The caller, or UNAUTHENTICATED naming why the credentials were refused."""
        if self.principal is None:
            raise self.auth_error or Unauthenticated("Sign in or send an API key")
        return self.principal

    @cached_property
    def loaders(self) -> Loaders:
        principal = self.require()
        return Loaders(self.services.db, principal.tenant_id, sees_internal=principal.sees_internal)


def credentials(headers: Any) -> tuple[str, str] | None:
    """("api_key", secret) or ("jwt", token) from X-API-Key or an Authorization bearer."""
    api_key = headers.get("x-api-key")
    if api_key:
        return "api_key", api_key.strip()
    scheme, _, value = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    value = value.strip()
    return ("api_key", value) if value.startswith(API_KEY_PREFIX) else ("jwt", value)


async def authenticate(services: Services, found: tuple[str, str] | None) -> Principal | None:
    if found is None:
        return None
    kind, secret = found
    if kind == "api_key":
        async with services.db.transaction() as work:
            return await auth_service.principal_from_api_key(work.session, secret)
    async with services.db.read() as session:
        return await auth_service.principal_from_access_token(session, services.signer, secret)


async def build_context(services: Services, connection: HTTPConnection, response: Any) -> Context:
    try:
        principal = await authenticate(services, credentials(connection.headers))
    except HavenError as error:
        return Context(services, connection, None, auth_error=error, response=response)
    return Context(services, connection, principal, response=response)
