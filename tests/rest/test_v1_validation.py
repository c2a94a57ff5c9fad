"""Bad input to the v1 API: a 400 envelope naming the problem, and nothing written."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from app.kit.validation import MAX_BODY_BYTES
from tests.factories import Factory
from tests.rest.helpers import bearer, envelope, new_ticket_id, post_ticket

VALID = {"subject": "Printer on fire", "body": "Flames everywhere."}


async def _nothing_written(factory: Factory, key: str) -> None:
    data = await factory.gql("{ boards { name } tickets { totalCount } }", api_key=key)
    assert data["data"] == {"boards": [], "tickets": {"totalCount": 0}}


async def _fresh_key(factory: Factory) -> str:
    # No board yet: a refused request must not even leave an Inbox behind.
    return await factory.api_key(await factory.tenant())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": None}, "Subject is required"),
        ({"body": None}, "Body is required"),
        ({"subject": "   "}, "Subject is required"),
        ({"subject": 42}, "subject must be a string"),
        ({"subject": "x" * 301}, "subject must be 1 to 300 characters"),
        ({"body": "x" * (64 * 1024 + 1)}, "body must be at most 64 KB"),
        ({"priority": "urgent"}, "priority must be one of p1_critical, p2_high, p3_medium, p4_low"),
        ({"priority": "high"}, "priority must be one of p1_critical, p2_high, p3_medium, p4_low"),
        ({"source": "csv"}, "source must be one of api, widget, email, form"),
        ({"sender_email": "not-an-email"}, "sender_email is not a valid email address"),
        ({"sender_name": "n" * 201}, "sender_name must be at most 200 characters"),
        ({"tags": "billing"}, "tags must be an array of strings"),
        ({"tags": [1]}, "tags must be an array of strings"),
        ({"tags": [f"t{i}" for i in range(21)]}, "at most 20 tags are allowed"),
        ({"tags": ["x" * 51]}, "each tag must be at most 50 characters"),
        ({"metadata": [1]}, "metadata must be a JSON object"),
        ({"metadata": {"blob": "x" * 16 * 1024}}, "metadata must be at most 16 KB of JSON"),
    ],
)
async def test_invalid_ticket_fields(
    client: httpx.AsyncClient, factory: Factory, change: dict, message: str
) -> None:
    key = await _fresh_key(factory)
    body = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    assert envelope(await post_ticket(client, key, body), 400, "VALIDATION_ERROR") == message
    await _nothing_written(factory, key)


async def test_optional_fields_are_stored(client: httpx.AsyncClient, factory: Factory) -> None:
    key = await _fresh_key(factory)
    body = {**VALID, "source": "widget", "tags": ["vip"], "metadata": {"plan": "pro"}}
    ticket_id = await new_ticket_id(
        client, key, {**body, "sender_name": "Jane", "priority": "p1_critical"}
    )
    data = await factory.gql(
        "query($id: ID!) { ticket(id: $id) { source tags metadata priority requester { name } } }",
        {"id": ticket_id},
        api_key=key,
    )
    assert data["data"]["ticket"] == {
        "source": "WIDGET",
        "tags": ["vip"],
        "metadata": {"plan": "pro"},
        "priority": "CRITICAL",
        "requester": {"name": "Jane"},
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"subject": "x", "body": ', "Request body must be valid JSON"),
        ("", "Request body must be valid JSON"),
        (
            '{"subject": "x", "body": "y", "metadata": {"n": NaN}}',
            "Request body must be valid JSON",
        ),
        (b'{"subject": "\xff"}', "Request body must be valid JSON"),
        ('["subject", "body"]', "Request body must be a JSON object"),
        ('"just a string"', "Request body must be a JSON object"),
    ],
)
async def test_bodies_that_are_not_a_json_object(
    client: httpx.AsyncClient, factory: Factory, raw: str | bytes, message: str
) -> None:
    key = await _fresh_key(factory)
    response = await client.post("/v1/tickets", content=raw, headers=bearer(key))
    assert envelope(response, 400, "VALIDATION_ERROR") == message
    await _nothing_written(factory, key)


def _padded(size: int) -> bytes:
    """A valid create request padded with whitespace to exactly `size` bytes."""
    raw = json.dumps(VALID).encode()
    return raw[:-1] + b" " * (size - len(raw)) + b"}"


async def test_bodies_over_one_megabyte_are_refused(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    key = await _fresh_key(factory)
    too_big = await client.post(
        "/v1/tickets", content=_padded(MAX_BODY_BYTES + 1), headers=bearer(key)
    )
    envelope(too_big, 413, "PAYLOAD_TOO_LARGE")

    async def chunked() -> AsyncIterator[bytes]:
        # No Content-Length: the size is only known while reading.
        body = _padded(MAX_BODY_BYTES + 1)
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    streamed = await client.post("/v1/tickets", content=chunked(), headers=bearer(key))
    assert "content-length" not in streamed.request.headers
    envelope(streamed, 413, "PAYLOAD_TOO_LARGE")
    await _nothing_written(factory, key)
    just_fits = await client.post(
        "/v1/tickets", content=_padded(MAX_BODY_BYTES), headers=bearer(key)
    )
    assert just_fits.status_code == 202


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Body is required"),
        ({"body": "  "}, "Body is required"),
        ({"body": ["x"]}, "body must be a string"),
        ({"body": "hi", "contact_email": "jane@"}, "contact_email is not a valid email address"),
    ],
)
async def test_invalid_messages(
    client: httpx.AsyncClient, factory: Factory, body: dict, message: str
) -> None:
    world = await factory.world()
    ticket_id = await new_ticket_id(client, world.api_key)
    url = f"/v1/tickets/{ticket_id}/messages"
    response = await client.post(url, json=body, headers=bearer(world.api_key))
    assert envelope(response, 400, "VALIDATION_ERROR") == message
    after = await client.get(f"/v1/tickets/{ticket_id}", headers=bearer(world.api_key))
    assert len(after.json()["messages"]) == 1
