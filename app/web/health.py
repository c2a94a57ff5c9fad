"""`GET /health`: liveness, answered without credentials or a database."""

from typing import Literal

from pydantic import ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from app import __version__
from app.rest.operations import JSONBody, Operation, Reply
from app.rest.types import Body


class Health(Body):
    model_config = ConfigDict(
        json_schema_extra={"example": {"status": "ok", "service": "haven", "version": "0.1.0"}}
    )

    status: Literal["ok"]
    service: str
    version: str


async def health(request: Request) -> Response:
    return JSONBody(Health(status="ok", service="haven", version=__version__))


HEALTH_OPERATIONS = [
    Operation(
        "GET",
        "/health",
        health,
        "health",
        "health",
        "Health check; no authentication",
        [],
        {200: Reply("The service is up", Health)},
    )
]
