"""Inbound field mappings: refused with a reason when wrong, and shaping tickets when saved."""

import uuid
from typing import Any

import httpx
import pytest

from app.kit.ids import expect_global_id
from app.tickets.models import Ticket
from tests.connectors.helpers import bearer, create, event, post, send_event
from tests.factories import Factory, World, error_codes
from tests.rest.helpers import envelope


def mapping(*items: Any, event_type: str = "user_reported") -> dict[str, Any]:
    return {"event_type": event_type, "field_mappings": list(items)}


REASON = {"source": "payload.reason", "target": "category"}

INVALID = {
    "unknown target": (mapping({"source": "payload.reason", "target": "severity"}), "severity"),
    "unknown metadata key": (
        mapping({"source": "payload.reason", "target": "metadata.Bad Key"}),
        "metadata.<key>",
    ),
    "unknown transform": (mapping({**REASON, "transform": "reverse"}), "unknown transform"),
    "truncate with letters": (mapping({**REASON, "transform": "truncate:abc"}), "truncate"),
    "truncate of zero": (mapping({**REASON, "transform": "truncate:0"}), "truncate"),
    "truncate too long": (mapping({**REASON, "transform": "truncate:100001"}), "truncate"),
    "argument to lowercase": (mapping({**REASON, "transform": "lowercase:3"}), "no argument"),
    "transform not a string": (mapping({**REASON, "transform": 3}), "transform"),
    "empty array": (mapping(), "non-empty array"),
    "not an array": ({"event_type": "user_reported", "field_mappings": {}}, "array"),
    "missing array": ({"event_type": "user_reported"}, "field_mappings"),
    "string item": (mapping("payload.reason"), "field_mappings[0] must be an object"),
    "null item": (mapping(REASON, None), "field_mappings[1] must be an object"),
    "unknown key": (mapping({**REASON, "default": "x"}), "unknown keys"),
    "source outside the event": (mapping({"source": "headers.x", "target": "title"}), "source"),
    "target filled twice": (mapping(REASON, {"source": "source", "target": "category"}), "once"),
    "unknown event type": (mapping(REASON, event_type="user_waved"), "event_type"),
    "too many": (
        mapping(*[{"source": "source", "target": f"metadata.k{n}"} for n in range(31)]),
        "30",
    ),
}


async def mappings_count(client: httpx.AsyncClient, world: World) -> int:
    listed = await client.get("/api/v1/connectors", headers=bearer(world.token))
    return int(listed.json()["data"][0]["inbound_mappings_count"])


@pytest.mark.parametrize(("body", "words"), INVALID.values(), ids=INVALID.keys())
async def test_invalid_mapping_is_refused_naming_the_problem(
    client: httpx.AsyncClient, factory: Factory, body: dict, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    response = await post(client, world.token, f"/{connector}/mappings", body)
    assert words in envelope(response, 400, "VALIDATION_ERROR")
    assert await mappings_count(client, world) == 0


SAVE = """mutation($input: SaveInboundMappingInput!) {
  saveInboundMapping(input: $input) {
    created mapping { id eventType fieldMappings { source target transform } createdAt }
  }
}"""


@pytest.mark.parametrize(
    ("field_mappings", "words"),
    [
        ([{"source": "payload.reason", "target": "severity"}], "severity"),
        ([{**REASON, "transform": "truncate:-1"}], "truncate"),
        ([], "non-empty array"),
    ],
)
async def test_graphql_refuses_the_same_mappings(
    client: httpx.AsyncClient, factory: Factory, field_mappings: list, words: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    variables = {
        "input": {
            "connectorId": connector,
            "eventType": "user_reported",
            "fieldMappings": field_mappings,
        }
    }
    body = await factory.gql(SAVE, variables, token=world.token)
    assert error_codes(body) == ["VALIDATION_ERROR"] and body["data"] is None, body
    assert words in body["errors"][0]["message"]
    assert await mappings_count(client, world) == 0


async def test_graphql_saves_and_replaces_a_mapping(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    items = [{"source": "payload.content.text", "target": "description", "transform": "trim"}]
    variables = {
        "input": {"connectorId": connector, "eventType": "user_reported", "fieldMappings": items}
    }
    first = await factory.gql(SAVE, variables, token=world.token)
    assert error_codes(first) == [], first
    saved = first["data"]["saveInboundMapping"]
    assert saved["created"] is True and saved["mapping"]["id"].startswith("map_")
    assert saved["mapping"]["fieldMappings"] == items
    variables["input"]["fieldMappings"] = [{"source": "source", "target": "tags"}]
    again = (await factory.gql(SAVE, variables, token=world.token))["data"]["saveInboundMapping"]
    assert again["created"] is False and again["mapping"]["id"] == saved["mapping"]["id"]
    assert again["mapping"]["fieldMappings"] == [
        {"source": "source", "target": "tags", "transform": None}
    ]


async def ticket_of(factory: Factory, response: httpx.Response) -> Ticket:
    assert response.status_code == 202, response.text
    ticket_id = expect_global_id(response.json()["id"], "Ticket")
    async with factory.services.db.read() as session:
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


async def test_a_saved_mapping_shapes_the_ticket_an_event_makes(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    secret = created["config"]["signing_secret"]
    text = "Reported message content here, and a lot more of it"
    payload: dict[str, Any] = {
        "reason": "spam",
        "report": {"kind": "sexual_content", "target": f"usr_{uuid.uuid4().hex[:8]}"},
        "content": {"type": "message", "text": text},
    }
    # Before the mapping: the event's defaults.
    before = await ticket_of(
        factory, await send_event(client, world.api_key, secret, event(**payload))
    )
    assert before.category == "spam" and before.subject_external_id == "usr_e5f6g7h8"
    assert before.description is not None and text in before.description

    body = mapping(
        {"source": "payload.report.kind", "target": "category", "transform": "map_category"},
        {"source": "payload.report.target", "target": "subject_external_id"},
        {"source": "payload.content.text", "target": "description", "transform": "truncate:20"},
        {
            "source": "payload.reason",
            "target": "metadata.platform_reason",
            "transform": "uppercase",
        },
    )
    saved = await post(client, world.token, f"/{created['id']}/mappings", body)
    assert saved.status_code == 201, saved.text
    after = await ticket_of(
        factory, await send_event(client, world.api_key, secret, event(**payload))
    )
    assert after.category == "inappropriate_content"
    assert after.subject_external_id == payload["report"]["target"]
    assert after.description == text[:20]
    assert after.meta["platform_reason"] == "SPAM"


async def test_a_mapping_applies_only_to_its_event_type(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    secret = created["config"]["signing_secret"]
    body = mapping(
        {"source": "payload.reason", "target": "category", "transform": "uppercase"},
        event_type="message_flagged",
    )
    assert (await post(client, world.token, f"/{created['id']}/mappings", body)).status_code == 201
    flagged = event("message_flagged", reason="nudity")
    ticket = await ticket_of(factory, await send_event(client, world.api_key, secret, flagged))
    assert ticket.category == "NUDITY"
    reported = event(reason="nudity")
    other = await ticket_of(factory, await send_event(client, world.api_key, secret, reported))
    assert other.category == "inappropriate_content"
