"""Calling the connector API and the webhook door as the API document's examples do."""

import json
import uuid
from typing import Any

import httpx

from app.webhooks.signatures import github_signature

# The document's request bodies, byte for byte as its curl examples send them.
CREATE_EXAMPLE = """{
    "name": "Dating Frame Staging",
    "type": "webhook"
  }"""
MAPPING_EXAMPLE = """{
    "event_type": "user_reported",
    "field_mappings": [
      { "source": "payload.reporter_id", "target": "reporter_external_id" },
      { "source": "payload.reported_user_id", "target": "subject_external_id" },
      { "source": "payload.reason", "target": "category", "transform": "map_category" }
    ]
  }"""
ACTION_EXAMPLE = r"""{
    "action_type": "suspend_user",
    "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
    "method": "POST",
    "headers": { "X-Service-Key": "{{service_key}}" },
    "payload_template": "{ \"reason\": \"{{reason}}\", \"duration\": \"{{duration}}\" }"
  }"""

LIST_ITEM_KEYS = {
    "id",
    "name",
    "type",
    "status",
    "config",
    "inbound_mappings_count",
    "outbound_actions_count",
    "last_event_at",
    "created_at",
}
CREATED_KEYS = {"id", "name", "type", "status", "config", "created_at"}
MAPPING_KEYS = {"id", "connector_id", "event_type", "field_mappings", "created_at"}
ACTION_KEYS = {"id", "connector_id", "action_type", "endpoint", "method", "created_at"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


async def create(client: httpx.AsyncClient, token: str, body: Any = None) -> dict[str, Any]:
    """A new connector through the create example (or `body`): its answer, secret included."""
    content = CREATE_EXAMPLE if body is None else json.dumps(body)
    response = await client.post("/api/v1/connectors", content=content, headers=bearer(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def post(client: httpx.AsyncClient, token: str, path: str, body: Any) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return await client.post(f"/api/v1/connectors{path}", content=content, headers=bearer(token))


def event(event_type: str = "user_reported", **payload: Any) -> dict[str, Any]:
    """The webhook example's event with a fresh event_id and the given payload fields."""
    return {
        "event_id": f"evt_{uuid.uuid4()}",
        "event_type": event_type,
        "timestamp": "2026-04-02T14:30:00.000Z",
        "source": "dating-frame",
        "payload": {
            "reporter_id": "usr_a1b2c3d4",
            "reported_user_id": "usr_e5f6g7h8",
            "reason": "inappropriate_content",
            "content": {
                "type": "message",
                "text": "Reported message content here",
                "message_id": "msg_x1y2z3",
            },
            **payload,
        },
    }


async def send_event(
    client: httpx.AsyncClient, api_key: str, secret: str, document: dict[str, Any] | None = None
) -> httpx.Response:
    """POST a signed event to the webhook door, as a platform holding `secret` would."""
    raw = json.dumps(document or event()).encode()
    headers = {
        "Content-Type": "application/json",
        "X-API-Key": api_key,
        "X-Signature-256": github_signature(secret, raw),
    }
    return await client.post("/api/v1/webhooks/events", content=raw, headers=headers)
