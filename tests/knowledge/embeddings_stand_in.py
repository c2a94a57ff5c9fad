"""A local stand-in speaking the OpenAI-compatible embeddings protocol
(`POST /v1/embeddings` {model, input} → {data: [{index, embedding}], usage}), with switches
for the failures a real provider has."""

import hashlib
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DIMENSIONS = 8


def vector_of(text: str) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest()
    return [byte / 255 for byte in digest[:DIMENSIONS]]


@dataclass
class StandIn:
    """What the stand-in will answer next: a queue of (status, headers) failures, then
    success; or a fixed malformed body."""

    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    malformed: Any = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)

    def app(self) -> Starlette:
        async def embeddings(request: Request) -> Response:
            body = await request.json()
            self.requests.append(body)
            self.authorizations.append(request.headers.get("authorization"))
            if self.failures:
                status, headers = self.failures.pop(0)
                return JSONResponse({"error": {"message": "try later"}}, status, headers=headers)
            if self.malformed is not None:
                return JSONResponse(self.malformed)
            inputs = body["input"]
            # Answered out of order, as the protocol allows: `index` says which input.
            data = [
                {"object": "embedding", "index": index, "embedding": vector_of(text)}
                for index, text in reversed(list(enumerate(inputs)))
            ]
            tokens = sum(len(text.split()) for text in inputs)
            return JSONResponse(
                {
                    "object": "list",
                    "data": data,
                    "model": body["model"],
                    "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                }
            )

        return Starlette(routes=[Route("/v1/embeddings", embeddings, methods=["POST"])])
