"""A real receiver over HTTP on 127.0.0.1 that verifies every delivery with the
`standardwebhooks` library, and senders allowed to reach it (loopback is refused otherwise)."""

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.kit.backoff import Backoff
from app.kit.destinations import Allowed
from app.kit.outbound import Outbound
from app.outbound_webhooks.sender import Retries, WebhookSender
from app.services import Services
from tests.realtime.conftest import serving

# Pauses short enough for a test, in the same shape as the real schedule.
FAST = Retries(
    first=(timedelta(seconds=0.05), timedelta(seconds=0.1), timedelta(seconds=0.2)),
    later=Backoff(0.2, 0.4),
    give_up_after=timedelta(days=3),
)
# What the receiver does with a request: an answer, or None to stall past the sender's timeout.
Plan = Callable[[int], Response | None]


def accept(number: int) -> Response | None:
    return Response("ok")


@dataclass
class Receiver:
    """Records each verified delivery; `plan` decides each request's answer by its number."""

    secrets: list[str] = field(default_factory=list)
    plan: Plan = accept
    requests: int = 0
    delivered: list[dict[str, Any]] = field(default_factory=list)
    refused_signatures: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: Request) -> Response:
        self.requests += 1
        body = await request.body()
        headers = dict(request.headers)
        self.headers.append(headers)
        answer = self.plan(self.requests)
        if answer is None:
            await asyncio.sleep(5)
            return Response("too late")
        if answer.status_code < 300:
            if not self._verified(body, headers):
                self.refused_signatures += 1
                return Response("bad signature", status_code=400)
            self.delivered.append({"id": headers.get("webhook-id"), **json.loads(body)})
        return answer

    def _verified(self, body: bytes, headers: dict[str, str]) -> bool:
        if not self.secrets:
            return True  # chat formats carry no signature
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return True
            except WebhookVerificationError:
                continue
        return False

    def ids(self) -> list[str]:
        return [item["id"] for item in self.delivered]

    def unique(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        for item in self.delivered:
            seen.setdefault(item["id"], item)
        return list(seen.values())


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = Starlette(routes=[Route("/hook", found.handle, methods=["POST"])])
    async with serving(app, lifespan="off") as url:
        found.url = f"{url}/hook"
        yield found


@pytest.fixture
async def local(services: Services) -> AsyncIterator[Services]:
    """The session's services with an outbound client allowed to reach this machine."""
    outbound = Outbound(allowed=Allowed.of(["127.0.0.1", "receiver.example.com"]))
    yield dataclasses.replace(services, outbound=outbound)
    await outbound.close()


@pytest.fixture
def sender(local: Services) -> WebhookSender:
    return WebhookSender(local.db, local.outbound, local.sealer, retries=FAST, seconds=1.0)
