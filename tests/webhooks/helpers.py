"""Sending platform events as a platform would: a connector's secret, a signed raw body."""

import json
import uuid
from typing import Any

import httpx

from app.connectors.service import create_connector
from app.services import Services
from app.tenants.models import Tenant
from app.webhooks.signatures import github_signature

PATH = "/api/v1/webhooks/events"
# The document's example body, byte for byte as its curl sends it.
EXAMPLE = """{
    "event_id": "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6",
    "event_type": "user_reported",
    "timestamp": "2026-04-02T14:30:00.000Z",
    "source": "dating-frame",
    "payload": {
      "reporter_id": "usr_a1b2c3d4",
      "reported_user_id": "usr_e5f6g7h8",
      "reason": "inappropriate_content",
      "content": {
        "type": "message",
        "text": "Reported message content here",
        "message_id": "msg_x1y2z3"
      }
    }
  }"""


async def new_connector(services: Services, tenant: Tenant, name: str = "Dating Frame") -> str:
    """A webhook connector's signing secret."""
    async with services.db.transaction() as work:
        _, secret = await create_connector(
            work.session, tenant.id, services.sealer, name=name, type="webhook"
        )
    return secret


def event(event_type: str = "user_reported", **payload: Any) -> dict[str, Any]:
    defaults = {"reported_user_id": "usr_e5f6g7h8", "reason": "harassment"}
    if event_type == "csam_hash_match":
        defaults = {"hash_value": "a" * 32, "hash_algorithm": "photodna"}
    return {
        "event_id": f"evt_{uuid.uuid4()}",
        "event_type": event_type,
        "timestamp": "2026-04-02T14:30:00.000Z",
        "source": "dating-frame",
        "payload": {**defaults, **payload},
    }


def signed_headers(secret: str, body: bytes, api_key: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-API-Key": api_key,
        "X-Signature-256": github_signature(secret, body),
    }


async def post_event(
    client: httpx.AsyncClient, secret: str, api_key: str, data: Any
) -> httpx.Response:
    body = data.encode() if isinstance(data, str) else json.dumps(data).encode()
    return await client.post(PATH, content=body, headers=signed_headers(secret, body, api_key))
