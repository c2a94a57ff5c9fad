"""/api/v1/connectors called as the API document's curl examples call it, and what it refuses."""

import re
import uuid

import httpx
import pytest

from app.auth.models import Role
from tests.connectors.helpers import (
    ACTION_EXAMPLE,
    ACTION_KEYS,
    CREATED_KEYS,
    LIST_ITEM_KEYS,
    MAPPING_EXAMPLE,
    MAPPING_KEYS,
    bearer,
    create,
    post,
    send_event,
)
from tests.factories import Factory
from tests.rest.helpers import envelope

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CONNECTOR_ID = re.compile(r"^con_[0-9a-f-]{36}$")
WEBHOOK_URL = "http://127.0.0.1:8000/api/v1/webhooks/events"
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")


async def test_create_example_returns_the_secret_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    body = await create(client, world.token)
    assert set(body) == CREATED_KEYS and set(body["config"]) == {"webhook_url", "signing_secret"}
    assert CONNECTOR_ID.match(body["id"]) and ISO_MS.match(body["created_at"])
    assert (body["name"], body["type"], body["status"]) == (
        "Dating Frame Staging",
        "webhook",
        "active",
    )
    assert body["config"]["webhook_url"] == WEBHOOK_URL
    assert SECRET.match(body["config"]["signing_secret"])


async def test_list_example_returns_the_documented_shape(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(
        client, world.token, {"name": "Dating Frame Production", "type": "webhook"}
    )
    path, secret = f"/{created['id']}", created["config"]["signing_secret"]
    for event_type in ("user_reported", "message_flagged", "content_removed"):
        mapping = {
            "event_type": event_type,
            "field_mappings": [{"source": "source", "target": "tags"}],
        }
        assert (await post(client, world.token, f"{path}/mappings", mapping)).status_code == 201
    for _ in range(2):
        assert (
            await post(client, world.token, f"{path}/actions", ACTION_EXAMPLE)
        ).status_code == 201
    assert (await send_event(client, world.api_key, secret)).status_code == 202

    response = await client.get(
        "/api/v1/connectors", headers={"Authorization": f"Bearer {world.token}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data", "pagination"}
    assert body["pagination"] == {"cursor": None, "has_more": False, "total": 1}
    (item,) = body["data"]
    assert set(item) == LIST_ITEM_KEYS
    assert {k: v for k, v in item.items() if not k.endswith("_at")} == {
        "id": created["id"],
        "name": "Dating Frame Production",
        "type": "webhook",
        "status": "active",
        "config": {"webhook_url": WEBHOOK_URL, "signing_secret_last4": secret[-4:]},
        "inbound_mappings_count": 3,
        "outbound_actions_count": 2,
    }
    assert ISO_MS.match(item["last_event_at"]) and item["created_at"] == created["created_at"]
    assert secret not in response.text


async def test_mapping_example_on_a_created_connector(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    response = await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == MAPPING_KEYS
    assert re.match(r"^map_[0-9a-f-]{36}$", body["id"]) and ISO_MS.match(body["created_at"])
    assert (body["connector_id"], body["event_type"]) == (connector, "user_reported")
    assert body["field_mappings"] == [
        {"source": "payload.reporter_id", "target": "reporter_external_id"},
        {"source": "payload.reported_user_id", "target": "subject_external_id"},
        {"source": "payload.reason", "target": "category", "transform": "map_category"},
    ]


async def test_saving_an_event_types_mapping_again_replaces_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    first = await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)
    again = {
        "event_type": "user_reported",
        "field_mappings": [{"source": "source", "target": "tags"}],
    }
    second = await post(client, world.token, f"/{connector}/mappings", again)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    listed = await client.get("/api/v1/connectors", headers=bearer(world.token))
    assert listed.json()["data"][0]["inbound_mappings_count"] == 1


async def test_action_example_on_a_created_connector(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    response = await post(client, world.token, f"/{connector}/actions", ACTION_EXAMPLE)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == ACTION_KEYS
    assert re.match(r"^act_[0-9a-f-]{36}$", body["id"]) and ISO_MS.match(body["created_at"])
    assert {k: v for k, v in body.items() if k not in ("id", "created_at")} == {
        "connector_id": connector,
        "action_type": "suspend_user",
        "endpoint": "https://api.datingframe.com/v2/users/{{user_id}}/suspend",
        "method": "POST",
    }


async def test_list_filters_by_status_and_pages_with_cursors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    ids = [
        (await create(client, world.token, {"name": f"C{n}", "type": "api"}))["id"]
        for n in range(3)
    ]
    stopped = await post(client, world.token, f"/{ids[0]}/deactivate", "")
    assert stopped.status_code == 200 and stopped.json()["status"] == "inactive"
    headers = bearer(world.token)
    first = (await client.get("/api/v1/connectors?limit=1", headers=headers)).json()
    assert [c["id"] for c in first["data"]] == [ids[2]]
    assert first["pagination"]["has_more"] and first["pagination"]["total"] == 3
    cursor = first["pagination"]["cursor"]
    rest = (await client.get(f"/api/v1/connectors?limit=5&cursor={cursor}", headers=headers)).json()
    assert [c["id"] for c in rest["data"]] == [ids[1], ids[0]]
    assert rest["pagination"] == {"cursor": None, "has_more": False, "total": 3}
    active = (await client.get("/api/v1/connectors?status=active", headers=headers)).json()
    assert [c["id"] for c in active["data"]] == [ids[2], ids[1]]
    inactive = (await client.get("/api/v1/connectors?status=inactive", headers=headers)).json()
    assert [c["id"] for c in inactive["data"]] == [ids[0]]


@pytest.mark.parametrize(
    "query",
    ["?limit=0", "?limit=101", "?limit=abc", "?limit=99999999999", "?status=paused", "?cursor=%%%"],
)
async def test_bad_list_parameters_are_refused(
    client: httpx.AsyncClient, factory: Factory, query: str
) -> None:
    world = await factory.world()
    response = await client.get(f"/api/v1/connectors{query}", headers=bearer(world.token))
    envelope(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"type": "webhook"}, "name"),
        ({"name": "X"}, "type"),
        ({"name": 5, "type": "webhook"}, "name"),
        ({"name": "X", "type": "sms"}, "type"),
        ({"name": "X", "type": ["webhook"]}, "type"),
        ({"name": "X", "type": "email", "config": []}, "config"),
        ({"name": "X", "type": "email", "config": {"smtp_password": "hunter2"}}, "smtp_password"),
        ({"name": "X", "type": "email", "config": {"blob": "x" * 17000}}, "config"),
        ({"name": " ", "type": "webhook"}, "name"),
        ({"name": "x" * 201, "type": "webhook"}, "name"),
        ({"name": "a\u0000b", "type": "webhook"}, "NUL"),
        ({"name": "X", "type": "email", "config": {"a": "\u0000"}}, "NUL"),
    ],
)
async def test_invalid_connector_configuration_is_refused(
    client: httpx.AsyncClient, factory: Factory, body: dict, words: str
) -> None:
    world = await factory.world()
    response = await post(client, world.token, "", body)
    assert words in envelope(response, 400, "VALIDATION_ERROR")
    listed = await client.get("/api/v1/connectors", headers=bearer(world.token))
    assert listed.json()["pagination"]["total"] == 0


async def test_a_name_of_200_characters_is_kept_whole(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token, {"name": "x" * 200, "type": "webhook"})
    assert created["name"] == "x" * 200


async def test_config_is_kept_and_shown_after_haven_fields(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    config = {"smtp_host": "smtp.example.com", "webhook_url": "https://elsewhere.example"}
    created = await create(client, world.token, {"name": "Mail", "type": "email", "config": config})
    assert created["config"]["webhook_url"] == WEBHOOK_URL
    assert created["config"]["smtp_host"] == "smtp.example.com"
    listed = (await client.get("/api/v1/connectors", headers=bearer(world.token))).json()
    assert list(listed["data"][0]["config"]) == ["webhook_url", "signing_secret_last4", "smtp_host"]


@pytest.mark.parametrize("body", ["{", "[]", '"x"', '{"name": NaN, "type": "api"}'])
async def test_malformed_bodies_are_refused(
    client: httpx.AsyncClient, factory: Factory, body: str
) -> None:
    world = await factory.world()
    envelope(await post(client, world.token, "", body), 400, "VALIDATION_ERROR")


CALLS = [
    ("GET", ""),
    ("POST", ""),
    ("POST", "/{id}/mappings"),
    ("POST", "/{id}/actions"),
    ("POST", "/{id}/rotate-secret"),
    ("POST", "/{id}/deactivate"),
]


async def _call(client: httpx.AsyncClient, method: str, path: str, headers: dict) -> httpx.Response:
    body = {"GET": None, "POST": "{}"}[method]
    return await client.request(method, f"/api/v1/connectors{path}", content=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_without_credentials_is_unauthorized(
    client: httpx.AsyncClient, factory: Factory, method: str, path: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"X-API-Key": "hv_" + "x" * 43}):
        response = await _call(client, method, path.format(id=connector), headers)
        envelope(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER])
@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_agents_and_viewers_are_forbidden(
    client: httpx.AsyncClient, factory: Factory, method: str, path: str, role: Role
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    token = await factory.token(await factory.user(world.tenant, role))
    key = await factory.api_key(world.tenant, role)
    for headers in (bearer(token), {"X-API-Key": key}):
        response = await _call(client, method, path.format(id=created["id"]), headers)
        envelope(response, 403, "FORBIDDEN")
    listed = (await client.get("/api/v1/connectors", headers=bearer(world.token))).json()
    assert listed["pagination"]["total"] == 1
    (item,) = listed["data"]
    assert item["status"] == "active" and item["inbound_mappings_count"] == 0
    assert item["outbound_actions_count"] == 0
    # The secret was not rotated: the original still signs events.
    secret = created["config"]["signing_secret"]
    assert item["config"]["signing_secret_last4"] == secret[-4:]
    assert (await send_event(client, world.api_key, secret)).status_code == 202


async def test_an_admin_api_key_manages_connectors(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    headers = {"X-API-Key": world.api_key, "Content-Type": "application/json"}
    response = await client.post(
        "/api/v1/connectors", content='{"name": "K", "type": "api"}', headers=headers
    )
    assert response.status_code == 201, response.text
    listed = await client.get("/api/v1/connectors", headers=headers)
    assert [c["id"] for c in listed.json()["data"]] == [response.json()["id"]]


@pytest.mark.parametrize("suffix", ["mappings", "actions", "rotate-secret", "deactivate"])
async def test_connector_ids_are_global_or_bare_and_anything_else_is_not_found(
    client: httpx.AsyncClient, factory: Factory, suffix: str
) -> None:
    world = await factory.world()
    connector = (await create(client, world.token))["id"]
    body = {"mappings": MAPPING_EXAMPLE, "actions": ACTION_EXAMPLE}.get(suffix, "")
    bare = connector.removeprefix("con_")
    response = await post(client, world.token, f"/{bare}/{suffix}", body)
    assert response.status_code in (200, 201), response.text
    for wrong in (f"con_{uuid.uuid4()}", f"tkt_{bare}", "con_123", "123", f"{bare}x"):
        envelope(await post(client, world.token, f"/{wrong}/{suffix}", body), 404, "NOT_FOUND")


async def test_rotate_secret_answers_the_new_secret_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    response = await post(
        client, world.token, f"/{created['id']}/rotate-secret", {"grace_seconds": 60}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == CREATED_KEYS | {"secret_rotated_at", "previous_secret_expires_at"}
    new = body["config"]["signing_secret"]
    assert SECRET.match(new) and new != created["config"]["signing_secret"]
    assert ISO_MS.match(body["secret_rotated_at"]) and ISO_MS.match(
        body["previous_secret_expires_at"]
    )
    assert response.headers["cache-control"] == "no-store"
    listed = await client.get("/api/v1/connectors", headers=bearer(world.token))
    assert new not in listed.text
    assert listed.json()["data"][0]["config"]["signing_secret_last4"] == new[-4:]


@pytest.mark.parametrize("grace", [-1, 604801, 1.5, "60", True, None, 10**40])
async def test_rotate_secret_refuses_a_bad_grace_period(
    client: httpx.AsyncClient, factory: Factory, grace: object
) -> None:
    world = await factory.world()
    created = await create(client, world.token)
    path = f"/{created['id']}/rotate-secret"
    response = await post(client, world.token, path, {"grace_seconds": grace})
    assert "grace_seconds" in envelope(response, 400, "VALIDATION_ERROR")
    # Nothing rotated: the original secret still verifies.
    assert (
        await send_event(client, world.api_key, created["config"]["signing_secret"])
    ).status_code == 202
