"""`Outbound.send`, the call to an address a tenant gave: refused before connecting unless the
destination is allowed, connected to the checked address with the name as Host, no redirect
followed, the answer bounded in size and time."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.kit.destinations import Allowed
from app.kit.outbound import Outbound, OutboundError
from tests.realtime.conftest import serving

seen: list[dict[str, str]] = []


async def hook(request: Request) -> Response:
    seen.append({"host": request.headers["host"], "body": (await request.body()).decode()})
    return JSONResponse({"ok": True}, status_code=202)


async def huge(request: Request) -> Response:
    return Response(b"x" * 500_000)


async def slow(request: Request) -> Response:
    await asyncio.sleep(3)
    return Response()


async def moved(request: Request) -> Response:
    return Response(status_code=307, headers={"Location": "http://169.254.169.254/"})


@pytest.fixture
async def port() -> AsyncIterator[int]:
    app = Starlette(
        routes=[
            Route("/hook", hook, methods=["POST"]),
            Route("/huge", huge, methods=["POST"]),
            Route("/slow", slow, methods=["POST"]),
            Route("/moved", moved, methods=["POST"]),
        ]
    )
    async with serving(app, lifespan="off") as url:
        yield int(url.rsplit(":", 1)[1].split("/")[0])


@pytest.fixture
async def allowed() -> AsyncIterator[Outbound]:
    outbound = Outbound(allowed=Allowed.of(["127.0.0.1/32"]))
    yield outbound
    await outbound.close()


async def test_a_name_resolving_to_loopback_is_refused_before_any_connection(port: int) -> None:
    outbound = Outbound()
    seen.clear()
    with pytest.raises(OutboundError) as refused:
        await outbound.send(
            "POST", f"http://loopback.example.com:{port}/hook", headers={}, content=b"{}", seconds=2
        )
    assert refused.value.refused and "resolves to 127.0.0.1" in refused.value.message
    assert seen == []
    await outbound.close()


async def test_an_allowed_destination_is_reached_at_the_checked_address(
    port: int, allowed: Outbound
) -> None:
    seen.clear()
    answer = await allowed.send(
        "POST",
        f"http://loopback.example.com:{port}/hook",
        headers={"Content-Type": "application/json"},
        content=b'{"event": "ticket_created"}',
        seconds=2,
    )
    assert answer.status == 202
    assert seen == [{"host": f"loopback.example.com:{port}", "body": '{"event": "ticket_created"}'}]


async def test_redirects_are_answers_never_followed(port: int, allowed: Outbound) -> None:
    answer = await allowed.send(
        "POST", f"http://127.0.0.1:{port}/moved", headers={}, content=b"", seconds=2
    )
    assert answer.status == 307


async def test_the_answer_is_bounded_in_size_and_time(port: int, allowed: Outbound) -> None:
    big = await allowed.send(
        "POST", f"http://127.0.0.1:{port}/huge", headers={}, content=b"", seconds=2, limit=1000
    )
    assert len(big.content) == 1000
    started = asyncio.get_running_loop().time()
    with pytest.raises(OutboundError, match=r"within 0\.5s") as slow_error:
        await allowed.send(
            "POST", f"http://127.0.0.1:{port}/slow", headers={}, content=b"", seconds=0.5
        )
    assert not slow_error.value.refused
    assert asyncio.get_running_loop().time() - started < 1.5


async def test_production_refuses_plain_http_to_the_internet() -> None:
    outbound = Outbound(https_only=True)
    with pytest.raises(OutboundError, match="https") as refused:
        await outbound.send(
            "POST", "http://public.example.com/hook", headers={}, content=b"", seconds=1
        )
    assert refused.value.refused
    await outbound.close()
