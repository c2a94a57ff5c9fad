"""Authentication once per request, as pure ASGI middleware ahead of everything that needs the
caller (the body limit, rate limiting, GraphQL and the REST routes); see app.auth.authentication.

Public and exempt routes answer without credentials, and signed webhooks authenticate their
keys in batches inside ingestion, so none of them is looked up here."""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.authentication import STATE_KEY, authentication
from app.ratelimit.policy import Kind, kind_of
from app.services import Services


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and kind_of(scope["path"]) is Kind.PLAN:
            found = await authentication(self.services, Headers(scope=scope))
            scope.setdefault("state", {})[STATE_KEY] = found
        await self.app(scope, receive, send)
