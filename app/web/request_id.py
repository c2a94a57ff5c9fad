"""A request id for every HTTP request and WebSocket connection, as pure ASGI middleware.

A caller's own `X-Request-ID` is kept when it is sane (a short run of safe characters), so a
request can be followed from the load balancer or the client through Haven's logs; anything
else is replaced by a fresh id. The id is echoed on the response (on the WebSocket handshake
for connections) and set in `app.kit.logs.request_id` for every log line written meanwhile,
including from tasks started while handling it, which inherit the context."""

import os
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.logs import request_id

HEADER = b"x-request-id"
# Letters, digits and `-_.:`, at most 128 characters: what tracing systems and load balancers
# send, and nothing that could forge a log line or carry a payload.
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def accepted_id(sent: bytes | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if sent is not None and len(sent) <= 128:
        text = sent.decode("latin-1")
        if SANE.fullmatch(text):
            return text
    # 128 random bits, as hex: a UUID's entropy at an eighth of uuid4()'s cost.
    return os.urandom(16).hex()


def _sent_id(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            return bytes(value)
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current = accepted_id(_sent_id(scope))

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                MutableHeaders(scope=message)["x-request-id"] = current
            await send(message)

        token = request_id.set(current)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
