"""Signature refusals over HTTP: every way a forged or stale delivery can arrive gets 403 and
writes nothing; both accepted schemes pass."""

import base64
import json
import time

import httpx
import pytest
from sqlalchemy import func, select

from app.services import Services
from app.tickets.models import Ticket
from app.webhooks.signatures import github_signature, standard_signature
from tests.factories import Factory, World
from tests.rest.helpers import envelope
from tests.webhooks.helpers import PATH, event, new_connector


@pytest.fixture
async def platform(factory: Factory, services: Services) -> tuple[World, str]:
    world = await factory.world()
    return world, await new_connector(services, world.tenant)


def standard(secret: str, body: bytes, at: float) -> dict[str, str]:
    stamp = str(int(at))
    return {
        "webhook-id": "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "webhook-timestamp": stamp,
        "webhook-signature": standard_signature(
            secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", stamp, body
        ),
    }


async def count(services: Services, world: World) -> int:
    async with services.db.read() as session:
        found = await session.scalar(
            select(func.count(Ticket.id)).where(Ticket.tenant_id == world.tenant.id)
        )
    return int(found or 0)


async def send(
    client: httpx.AsyncClient, world: World, body: bytes, signature: dict[str, str]
) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-API-Key": world.api_key, **signature}
    return await client.post(PATH, content=body, headers=headers)


def flipped(body: bytes) -> bytes:
    """The body with one byte changed (inside a string, so it stays valid JSON)."""
    index = body.index(b"dating-frame")
    return body[:index] + b"D" + body[index + 1 :]


async def test_both_schemes_are_accepted(
    client: httpx.AsyncClient, services: Services, platform: tuple[World, str]
) -> None:
    world, secret = platform
    body = json.dumps(event()).encode()
    github = await send(client, world, body, {"X-Signature-256": github_signature(secret, body)})
    assert github.status_code == 202, github.text
    body = json.dumps(event()).encode()
    standard_webhooks = await send(client, world, body, standard(secret, body, time.time()))
    assert standard_webhooks.status_code == 202, standard_webhooks.text
    assert await count(services, world) == 2


@pytest.mark.parametrize(
    "case",
    [
        "wrong secret",
        "one byte of body changed",
        "missing header",
        "empty header",
        "signature without sha256= prefix",
        "standard: timestamp 6 minutes old",
        "standard: timestamp 6 minutes ahead",
        "standard: wrong secret",
        "standard: one byte of body changed",
        "standard: signature of another message id",
    ],
)
async def test_forged_or_stale_signatures_are_refused(
    client: httpx.AsyncClient, services: Services, platform: tuple[World, str], case: str
) -> None:
    world, secret = platform
    body = json.dumps(event()).encode()
    other = "whsec_" + base64.b64encode(b"not the connector's secret, 32b").decode()
    now = time.time()
    signature, sent = {
        "wrong secret": ({"X-Signature-256": github_signature(other, body)}, body),
        "one byte of body changed": (
            {"X-Signature-256": github_signature(secret, body)}, flipped(body)
        ),
        "missing header": ({}, body),
        "empty header": ({"X-Signature-256": ""}, body),
        "signature without sha256= prefix": (
            {"X-Signature-256": github_signature(secret, body).removeprefix("sha256=")}, body
        ),
        "standard: timestamp 6 minutes old": (standard(secret, body, now - 360), body),
        "standard: timestamp 6 minutes ahead": (standard(secret, body, now + 360), body),
        "standard: wrong secret": (standard(other, body, now), body),
        "standard: one byte of body changed": (standard(secret, body, now), flipped(body)),
        "standard: signature of another message id": (
            {**standard(secret, body, now), "webhook-id": "msg_other"}, body
        ),
    }[case]  # fmt: skip
    response = await send(client, world, sent, signature)
    envelope(response, 403, "FORBIDDEN")
    assert await count(services, world) == 0


async def test_a_timestamp_within_five_minutes_either_way_is_accepted(
    client: httpx.AsyncClient, platform: tuple[World, str]
) -> None:
    world, secret = platform
    for offset in (-290, 290):
        body = json.dumps(event()).encode()
        response = await send(client, world, body, standard(secret, body, time.time() + offset))
        assert response.status_code == 202, response.text
