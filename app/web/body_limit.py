"""A bound on GraphQL request bodies, as pure ASGI middleware ahead of everything that reads
them: the rate limiter buffers a signed-in caller's body to price the operation, and Strawberry
reads it whole, so an unbounded body costs its size in memory before anything can refuse it."""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.web.graphql_body import refusal

GRAPHQL_PATH = "/graphql"


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes the bound; whoever was reading stops."""


class GraphQLBodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        # An honest Content-Length is refused before a byte is read; counting while reading
        # catches chunked bodies and lying headers.
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self.refuse(scope, receive, send)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self.refuse(scope, receive, send)

    async def refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The rest of the body is never read, so the connection cannot carry another request.
        response = refusal(
            413,
            f"Request body must be at most {self.max_bytes} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
