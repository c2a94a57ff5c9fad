"""Helpers for calling the v1 REST API as an outside server would."""

import json
from typing import Any

import httpx

# The create example of the API document, byte for byte as its curl sends it.
CREATE_EXAMPLE = """{
    "subject": "Cannot access billing portal",
    "body": "Getting a 403 error when clicking Manage Subscription.",
    "sender_email": "jane@acme.com",
    "priority": "p2_high"
  }"""
REPLY_EXAMPLE = """{
    "body": "We have deployed a fix. Please try again.",
    "contact_email": "jane@acme.com"
  }"""


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


async def post_ticket(client: httpx.AsyncClient, key: str, body: Any = None) -> httpx.Response:
    content = CREATE_EXAMPLE if body is None else json.dumps(body)
    return await client.post("/v1/tickets", content=content, headers=bearer(key))


async def new_ticket_id(client: httpx.AsyncClient, key: str, body: Any = None) -> str:
    response = await post_ticket(client, key, body)
    assert response.status_code == 202, response.text
    return str(response.json()["ticket_id"])


def envelope(response: httpx.Response, status: int, code: str) -> str:
    """Assert the error envelope and return its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    return str(body["error"]["message"])
