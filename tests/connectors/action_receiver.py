"""A platform's action endpoint on 127.0.0.1: it records every request as it arrived (the raw
path, headers and body) and answers from a script of replies, then 200."""

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str = '{"ok": true}'
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Arrived:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.arrived: list[Arrived] = []
        self.replies: list[Reply] = []

    async def _record(self, request: Request) -> Response:
        raw = request.scope["raw_path"].decode()
        query = request.scope["query_string"].decode()
        self.arrived.append(
            Arrived(
                request.method,
                f"{raw}?{query}" if query else raw,
                {key.lower(): value for key, value in request.headers.items()},
                await request.body(),
            )
        )
        reply = self.replies.pop(0) if self.replies else Reply()
        return Response(reply.body, reply.status, reply.headers, "application/json")

    def app(self) -> Starlette:
        methods = ["POST", "PUT", "PATCH", "DELETE"]
        return Starlette(routes=[Route("/{path:path}", self._record, methods=methods)])
