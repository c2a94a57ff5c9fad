"""The per-request GraphQL context: who is calling, and fresh DataLoaders."""

from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeAlias

import strawberry
from starlette.requests import HTTPConnection

from app.auth.authentication import authentication_of
from app.auth.principal import Principal
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


def build_context(services: Services, connection: HTTPConnection, response: Any) -> Context:
    """The caller as the request authenticated (sockets do at `connection_init`)."""
    found = authentication_of(connection.scope)
    return Context(services, connection, found.principal, found.error, response=response)


# What resolvers are handed: `info.context` is Haven's context, with its principal and loaders.
Info: TypeAlias = strawberry.Info[Context, None]
