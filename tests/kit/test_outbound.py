"""The one outbound client: it waits as long as it was told, no longer, says what went wrong
in words, and reads `Retry-After` in both of its forms."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app.kit.backoff import Backoff
from app.kit.models import utcnow
from app.kit.outbound import Outbound, OutboundError, retry_after
from tests.realtime.conftest import serving


async def slow(request: Request) -> Response:
    await asyncio.sleep(2)
    return JSONResponse({})


async def text_answer(request: Request) -> Response:
    return PlainTextResponse("<html>not json</html>")


async def redirect(request: Request) -> Response:
    return Response(status_code=302, headers={"Location": "http://169.254.169.254/"})


@pytest.fixture
async def url() -> AsyncIterator[str]:
    app = Starlette(
        routes=[
            Route("/slow", slow, methods=["POST"]),
            Route("/text", text_answer, methods=["POST"]),
            Route("/redirect", redirect, methods=["POST"]),
        ]
    )
    async with serving(app, lifespan="off") as found:
        yield found


async def test_a_stalled_service_is_given_up_on_in_time(url: str) -> None:
    outbound = Outbound(attempts=1)
    started = asyncio.get_running_loop().time()
    with pytest.raises(OutboundError, match=r"no answer from 127\.0\.0\.1:\d+ within 0\.3s"):
        await outbound.post_json(f"{url}/slow", {}, headers={}, seconds=0.3)
    assert asyncio.get_running_loop().time() - started < 1.5
    await outbound.close()


async def test_an_answer_that_is_not_json_is_named_so(url: str) -> None:
    outbound = Outbound(attempts=1)
    with pytest.raises(OutboundError, match="not JSON"):
        await outbound.post_json(f"{url}/text", {}, headers={}, seconds=5)
    await outbound.close()


async def test_redirects_are_not_followed(url: str) -> None:
    outbound = Outbound(attempts=1)
    with pytest.raises(
        OutboundError, match="answered 302, a redirect; redirects are not"
    ) as raised:
        await outbound.post_json(f"{url}/redirect", {}, headers={}, seconds=5)
    assert raised.value.status == 302
    await outbound.close()


async def test_an_unreachable_service_is_retried_then_reported() -> None:
    outbound = Outbound(attempts=2, backoff=Backoff(0.01, 0.01))
    with pytest.raises(OutboundError, match=r"could not reach 127\.0\.0\.1:9"):
        await outbound.post_json("http://127.0.0.1:9/", {}, headers={}, seconds=1)
    await outbound.close()


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after(httpx.Headers({"Retry-After": "7"})) == 7
    later = format_datetime(utcnow() + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after(httpx.Headers({"Retry-After": later})) or 0) <= 30
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers({})) is None
