"""`POST /api/v1/webhooks/events` as a platform sees it: the document's example, each event
type, the ticket each becomes, and the refusals, in the order the document gives them."""

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.services import Services
from app.tickets.models import Ticket
from app.webhooks.events import EVENT_TYPES
from app.webhooks.models import WebhookReceipt
from tests.factories import Factory, World
from tests.rest.helpers import envelope
from tests.webhooks.helpers import EXAMPLE, PATH, event, new_connector, post_event, signed_headers

TICKET = """query($id: ID!) {
  ticket(id: $id) {
    id title description status priority category source tags metadata board { id }
  }
}"""


async def tickets_of(services: Services, world: World) -> int:
    async with services.db.read() as session:
        count = await session.scalar(
            select(func.count(Ticket.id)).where(Ticket.tenant_id == world.tenant.id)
        )
    return int(count or 0)


async def read_ticket(factory: Factory, world: World, ticket_id: str) -> dict[str, Any]:
    body = await factory.gql(TICKET, {"id": ticket_id}, token=world.token)
    assert "errors" not in body, body
    return dict(body["data"]["ticket"])


@pytest.fixture
async def platform(factory: Factory, services: Services) -> tuple[World, str]:
    world = await factory.world()
    return world, await new_connector(services, world.tenant)


async def test_the_documents_example_becomes_a_ticket_on_the_tenants_board(
    client: httpx.AsyncClient, factory: Factory, services: Services, platform: tuple[World, str]
) -> None:
    world, secret = platform
    response = await post_event(client, secret, world.api_key, EXAMPLE)
    assert response.status_code == 202, response.text
    body = response.json()
    assert list(body) == ["id", "event_id", "status", "created_at"]
    assert body["event_id"] == "evt_9f8e7d6c-5b4a-3c2d-1e0f-a1b2c3d4e5f6"
    assert body["status"] == "received"
    assert body["id"].startswith("tkt_")
    assert body["created_at"].endswith("Z") and len(body["created_at"]) == 24

    ticket = await read_ticket(factory, world, body["id"])
    assert ticket["board"] == {"id": f"brd_{world.board.id}"}
    assert ticket["source"] == "WEBHOOK" and ticket["status"] == "OPEN"
    assert ticket["title"] == "User report: inappropriate content"
    assert ticket["category"] == "inappropriate_content" and ticket["priority"] == "MEDIUM"
    assert "Reported message content here" in ticket["description"]
    assert ticket["tags"] == ["user_reported"]
    assert ticket["metadata"]["event_id"] == body["event_id"]
    assert ticket["metadata"]["platform"] == "dating-frame"
    async with services.db.read() as session:
        stored = await session.get(Ticket, uuid.UUID(body["id"][4:]))
        assert stored is not None
        assert (stored.reporter_external_id, stored.subject_external_id) == (
            "usr_a1b2c3d4",
            "usr_e5f6g7h8",
        )

    # The REST detail names the platform's event, as the document's ticket detail shows.
    detail = await client.get(
        f"/api/v1/tickets/{body['id']}", headers={"Authorization": f"Bearer {world.token}"}
    )
    assert detail.json()["event_id"] == body["event_id"]
    assert detail.json()["source"] == "webhook"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
async def test_each_event_type_of_the_document_is_accepted(
    client: httpx.AsyncClient, factory: Factory, platform: tuple[World, str], event_type: str
) -> None:
    world, secret = platform
    response = await post_event(client, secret, world.api_key, event(event_type))
    assert response.status_code == 202, response.text
    ticket = await read_ticket(factory, world, response.json()["id"])
    assert ticket["tags"] == [event_type]


async def test_a_csam_hash_match_arrives_as_a_critical_csea_ticket(
    client: httpx.AsyncClient, factory: Factory, platform: tuple[World, str]
) -> None:
    world, secret = platform
    data = event("csam_hash_match", hash_value="3f7a" * 8, hash_algorithm="photodna")
    response = await post_event(client, secret, world.api_key, data)
    assert response.status_code == 202, response.text
    ticket = await read_ticket(factory, world, response.json()["id"])
    assert ticket["priority"] == "CRITICAL"
    assert ticket["category"] == "csea_concern"
    assert ticket["title"] == "CSAM hash match (photodna)"


async def test_a_repeated_event_id_is_409_with_the_original_ticket(
    client: httpx.AsyncClient, services: Services, platform: tuple[World, str]
) -> None:
    world, secret = platform
    first = await post_event(client, secret, world.api_key, EXAMPLE)
    again = await post_event(client, secret, world.api_key, EXAMPLE)
    assert again.status_code == 409, again.text
    body = again.json()
    assert body["error"]["code"] == "CONFLICT"
    assert body["id"] == first.json()["id"]
    assert body["event_id"] == first.json()["event_id"]
    assert await tickets_of(services, world) == 1


async def test_fifty_concurrent_deliveries_of_one_event_make_exactly_one_ticket(
    client: httpx.AsyncClient, services: Services, platform: tuple[World, str]
) -> None:
    world, secret = platform
    data = event()
    responses = await asyncio.gather(
        *(post_event(client, secret, world.api_key, data) for _ in range(50))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202] + [409] * 49, [r.text for r in responses if r.status_code >= 500]
    ids = {response.json()["id"] for response in responses}
    assert len(ids) == 1
    assert await tickets_of(services, world) == 1
    async with services.db.read() as session:
        receipts = await session.scalar(
            select(func.count()).where(WebhookReceipt.tenant_id == world.tenant.id)
        )
    assert receipts == 1


async def test_the_same_event_id_from_two_tenants_is_two_events(
    client: httpx.AsyncClient, factory: Factory, services: Services, platform: tuple[World, str]
) -> None:
    world, secret = platform
    other = await factory.world()
    other_secret = await new_connector(services, other.tenant)
    ours = await post_event(client, secret, world.api_key, EXAMPLE)
    theirs = await post_event(client, other_secret, other.api_key, EXAMPLE)
    assert (ours.status_code, theirs.status_code) == (202, 202)
    assert ours.json()["id"] != theirs.json()["id"]


# --- 400: the payload ---------------------------------------------------------------------


def without(key: str) -> dict[str, Any]:
    data = event()
    del data[key]
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (without("event_id"), "event_id"),
        (without("event_type"), "event_type"),
        (without("timestamp"), "timestamp"),
        (without("source"), "source"),
        (without("payload"), "payload"),
        ({**event(), "event_type": "user_teleported"}, "event_type"),
        ({**event(), "timestamp": "yesterday"}, "timestamp"),
        ({**event(), "timestamp": "2026-04-02T14:30:00"}, "timestamp"),
        ({**event(), "payload": ["not", "an", "object"]}, "payload"),
        ({**event(), "event_id": ""}, "event_id"),
        ({**event(), "event_id": "e" * 201}, "event_id"),
        ({**event(), "event_id": 42}, "event_id"),
        (event("csam_hash_match", hash_value=None), "hash_value"),
        (event("user_reported", reported_user_id=None), "reported_user_id"),
    ],
    ids=str,
)
async def test_missing_or_invalid_fields_are_400_and_change_nothing(
    client: httpx.AsyncClient,
    services: Services,
    platform: tuple[World, str],
    data: dict[str, Any],
    field: str,
) -> None:
    world, secret = platform
    response = await post_event(client, secret, world.api_key, data)
    assert field in envelope(response, 400, "VALIDATION_ERROR")
    assert await tickets_of(services, world) == 0


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "", '{"a": NaN}'])
async def test_a_signed_body_that_is_not_a_json_object_is_400(
    client: httpx.AsyncClient, platform: tuple[World, str], raw: str
) -> None:
    world, secret = platform
    response = await post_event(client, secret, world.api_key, raw)
    envelope(response, 400, "VALIDATION_ERROR")


async def test_a_body_over_one_megabyte_is_413(
    client: httpx.AsyncClient, platform: tuple[World, str]
) -> None:
    world, secret = platform
    data = event(reason="x" * (1024 * 1024))
    response = await post_event(client, secret, world.api_key, data)
    envelope(response, 413, "PAYLOAD_TOO_LARGE")


# --- 401 and 403: who is sending -----------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "hv_not-a-real-key", "sk_live_abc123def456"])
async def test_a_missing_or_unknown_api_key_is_401(
    client: httpx.AsyncClient, platform: tuple[World, str], key: str | None
) -> None:
    _, secret = platform
    body = json.dumps(event()).encode()
    headers = signed_headers(secret, body, "")
    headers.pop("X-API-Key")
    if key is not None:
        headers["X-API-Key"] = key
    response = await client.post(PATH, content=body, headers=headers)
    envelope(response, 401, "UNAUTHORIZED")


async def test_a_revoked_key_is_401(
    client: httpx.AsyncClient, factory: Factory, platform: tuple[World, str]
) -> None:
    world, secret = platform
    keys = await factory.gql("query { apiKeys { id } }", token=world.token)
    key_id = keys["data"]["apiKeys"][0]["id"]
    revoke = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }"
    await factory.gql(revoke, {"id": key_id}, token=world.token)
    response = await post_event(client, secret, world.api_key, event())
    envelope(response, 401, "UNAUTHORIZED")


async def test_a_viewer_key_cannot_send_events(
    client: httpx.AsyncClient, factory: Factory, platform: tuple[World, str]
) -> None:
    world, secret = platform
    viewer = await factory.api_key(world.tenant, Role.VIEWER)
    response = await post_event(client, secret, viewer, event())
    envelope(response, 403, "FORBIDDEN")


async def test_another_tenants_secret_does_not_sign_for_this_tenant(
    client: httpx.AsyncClient, factory: Factory, services: Services, platform: tuple[World, str]
) -> None:
    world, _ = platform
    other = await factory.world()
    their_secret = await new_connector(services, other.tenant)
    response = await post_event(client, their_secret, world.api_key, event())
    envelope(response, 403, "FORBIDDEN")
    assert await tickets_of(services, world) == 0
    assert await tickets_of(services, other) == 0


async def test_a_tenant_with_no_connector_accepts_no_events(
    client: httpx.AsyncClient, factory: Factory, services: Services
) -> None:
    world = await factory.world()
    response = await post_event(client, "whsec_made-up", world.api_key, event())
    envelope(response, 403, "FORBIDDEN")
    assert await tickets_of(services, world) == 0


async def test_the_signature_is_checked_before_the_body_is_read(
    client: httpx.AsyncClient, platform: tuple[World, str]
) -> None:
    """Malformed JSON with a bad signature is a 403, never a 400: nothing unsigned is parsed."""
    world, secret = platform
    body = b"{not json"
    headers = signed_headers(secret, b"something else", world.api_key)
    response = await client.post(PATH, content=body, headers=headers)
    envelope(response, 403, "FORBIDDEN")


async def test_a_report_of_grooming_is_as_urgent_as_its_category(
    client: httpx.AsyncClient, factory: Factory, platform: tuple[World, str]
) -> None:
    world, secret = platform
    response = await post_event(client, secret, world.api_key, event(reason="grooming"))
    ticket = await read_ticket(factory, world, response.json()["id"])
    assert (ticket["category"], ticket["priority"]) == ("csea_concern", "CRITICAL")
    response = await post_event(client, secret, world.api_key, event(reason="spam"))
    ticket = await read_ticket(factory, world, response.json()["id"])
    # A routine report never drops below the event type's own priority.
    assert (ticket["category"], ticket["priority"]) == ("spam", "MEDIUM")
