"""A bound on GraphQL request bodies, as pure ASGI middleware ahead of everything that reads
them: the rate limiter buffers a signed-in caller's body to price the operation, and Strawberry
reads it whole, so an unbounded body costs its size in memory before anything can refuse it.

Two bounds: anyone gets `HAVEN_GRAPHQL_MAX_BODY_BYTES` (1 MB); a body past it is read on only
when its credentials check out, and then up to what the largest evidence upload needs (its
base64 form), since `preserveEvidence` carries the content in the body. So nobody without
valid credentials can make Haven hold more than the small bound."""

import math

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.authentication import authentication_of
from app.kit.settings import Settings
from app.services import Services
from app.web.graphql_body import refusal

# Room for the rest of a `preserveEvidence` document around the base64 content.
ENVELOPE_BYTES = 64 * 1024


def signed_in_bound(settings: Settings) -> int:
    """The bound for callers with valid credentials: an evidence item in base64, with room."""
    evidence = 4 * math.ceil(settings.evidence_max_bytes / 3) + ENVELOPE_BYTES
    return max(settings.graphql_max_body_bytes, evidence)


GRAPHQL_PATH = "/graphql"


class BodyTooLarge(Exception):
    """Raised from `receive` when a streamed body passes the bound; whoever was reading stops."""


class GraphQLBodyLimit:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.max_bytes = services.settings.graphql_max_body_bytes
        self.signed_in_bytes = signed_in_bound(services.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        # An honest Content-Length is refused before a byte is read; counting while reading
        # catches chunked bodies and lying headers.
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        bound = self.max_bytes
        if declared.isdigit() and int(declared) > bound:
            bound = self.bound_for(scope)
            if int(declared) > bound:
                await self.refuse(scope, receive, send, bound)
                return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received, bound
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > bound and bound == self.max_bytes:
                    bound = self.bound_for(scope)
                if received > bound:
                    raise BodyTooLarge(bound)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as too_large:
            if started:
                raise
            await self.refuse(scope, receive, send, too_large.args[0])

    def bound_for(self, scope: Scope) -> int:
        """The larger bound for valid credentials; the small one for anyone else."""
        return self.signed_in_bytes if authentication_of(scope).principal else self.max_bytes

    async def refuse(self, scope: Scope, receive: Receive, send: Send, bound: int) -> None:
        # The rest of the body is never read, so the connection cannot carry another request.
        response = refusal(
            413,
            f"Request body must be at most {bound} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
