"""The error envelope: HavenError codes as REST names them, and unexpected failures masked."""

import logging

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

import app.tickets.v1
from app.kit.errors import Conflict, Forbidden, HavenError, NotFound, Unauthenticated
from app.rest.errors import exception_handlers
from app.rest.operations import Operation, routes
from tests.factories import Factory
from tests.rest.helpers import envelope, post_ticket


class RateLimited(HavenError):
    code = "RATE_LIMITED"
    http_status = 429


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (HavenError("bad"), 400, "VALIDATION_ERROR"),
        (Unauthenticated("who?"), 401, "UNAUTHORIZED"),
        (Forbidden("no"), 403, "FORBIDDEN"),
        (NotFound("Ticket"), 404, "NOT_FOUND"),
        (Conflict("twice"), 409, "CONFLICT"),
        (RateLimited("slow down"), 429, "RATE_LIMITED"),
        (RuntimeError("password=hunter2"), 500, "INTERNAL_ERROR"),
    ],
)
async def test_failures_become_the_envelope(
    error: Exception, status: int, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing(request: Request) -> Response:
        raise error

    operation = Operation("GET", "/", failing, "fail", "test", "Fails", [], {})
    shim = Starlette(routes=routes([operation]), exception_handlers=exception_handlers())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=shim), base_url="http://test"
    ) as client:
        with caplog.at_level(logging.ERROR, logger="haven.rest"):
            response = await client.get("/")
    message = envelope(response, status, code)
    if status == 500:
        assert message == "Unexpected error" and "hunter2" not in response.text
        assert "Traceback" not in response.text
        assert any(record.exc_info for record in caplog.records)
    else:
        assert message == str(error)


async def test_a_crash_in_a_real_endpoint_is_masked(
    client: httpx.AsyncClient, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("connection string postgresql://secret")

    monkeypatch.setattr(app.tickets.v1, "create_ticket", broken)
    key = await factory.api_key(await factory.tenant())
    response = await post_ticket(client, key)
    assert envelope(response, 500, "INTERNAL_ERROR") == "Unexpected error"
    assert "secret" not in response.text
    data = await factory.gql("{ boards { name } }", api_key=key)
    assert data["data"]["boards"] == []  # the Inbox made on the way rolled back


async def test_unknown_v1_paths_answer_in_the_envelope(client: httpx.AsyncClient) -> None:
    envelope(await client.get("/v1/articles/nothing"), 404, "NOT_FOUND")
    envelope(await client.post("/v1/tickets/x/unknown"), 404, "NOT_FOUND")
