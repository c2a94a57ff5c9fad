"""503 Service Unavailable, with `Retry-After`, while the database is out of reach.

One pure ASGI middleware, placed outside every middleware that reads the database (rate
limiting looks callers up), so it covers their failures too. It answers only `DatabaseUnavailable`;
every other exception goes on to Starlette's 500 as before. It also adds `Retry-After` to any
503 an endpoint produced itself, so every 503 says when to come back."""

import logging

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit import unavailable
from app.kit.unavailable import DatabaseUnavailable

logger = logging.getLogger("haven.web")
outages = unavailable.OutageLog(logger)
GRAPHQL_PATH = "/graphql"


def unavailable_response(path: str) -> JSONResponse:
    """Haven's envelope for the path: GraphQL's `errors` list there, REST's `error` elsewhere."""
    error = {"code": unavailable.CODE, "message": unavailable.MESSAGE}
    if path == GRAPHQL_PATH:
        body: dict[str, object] = {
            "data": None,
            "errors": [{"message": error["message"], "extensions": {"code": error["code"]}}],
        }
    else:
        body = {"error": error}
    headers = {"Retry-After": str(unavailable.RETRY_AFTER_SECONDS)}
    return JSONResponse(body, status_code=503, headers=headers)


class UnavailableMiddleware:
    """Answers `DatabaseUnavailable` with `unavailable_response`; adds `Retry-After` to 503s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_retry_after(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if message["status"] == 503:
                    headers = MutableHeaders(scope=message)
                    headers.setdefault("retry-after", str(unavailable.RETRY_AFTER_SECONDS))
            await send(message)

        try:
            await self.app(scope, receive, send_with_retry_after)
        except DatabaseUnavailable as error:
            if started:  # too late to answer anything else; the connection is cut
                raise
            # The route's template, not the path: paths carry ids and, for portal links, tokens.
            route = getattr(scope.get("route"), "path", "(before routing)")
            outages.failed(f"{scope['method']} {route}", error)
            await unavailable_response(scope["path"])(scope, receive, send)
