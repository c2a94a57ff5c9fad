"""/api/v1/webhook-endpoints called as a client would, and the GraphQL mutations: what each
answers, what it refuses (and leaves unchanged), the secret shown once, rotation's grace, and
replays."""

import re
from typing import Any

import httpx
from starlette.responses import Response

from app.auth.models import Role
from app.outbound_webhooks.sender import WebhookSender
from app.services import Services
from tests.factories import Factory, error_codes
from tests.outbound_webhooks.conftest import Receiver
from tests.outbound_webhooks.helpers import deliveries, drain, endpoint

BASE = "/api/v1/webhook-endpoints"
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")
PUBLIC = "https://public.example.com/hook"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def create(client: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    document = {"url": PUBLIC, "events": ["ticket_created"], **body}
    return await client.post(BASE, json=document, headers=bearer(token))


async def test_creating_shows_the_secret_once(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    response = await create(client, world.token, description="CRM", format="slack")
    assert response.status_code == 201 and response.headers["cache-control"] == "no-store"
    made = response.json()
    assert SECRET.match(made["signing_secret"]) and made["id"].startswith("whe_")
    assert (made["format"], made["description"], made["active"]) == ("slack", "CRM", True)
    shown = (await client.get(f"{BASE}/{made['id']}", headers=bearer(world.token))).json()
    assert "signing_secret" not in shown
    assert shown["signing_secret_last4"] == made["signing_secret"][-4:]
    listed = (await client.get(BASE, headers=bearer(world.token))).json()
    assert [item["id"] for item in listed["data"]] == [made["id"]]
    assert made["signing_secret"] not in str(listed)


async def test_bad_input_is_refused_with_a_coded_error_and_nothing_saved(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    refused: dict[str, tuple[dict[str, Any], str]] = {
        "loopback url": ({"url": "http://127.0.0.1:9/hook"}, "loopback"),
        "metadata url": ({"url": "http://169.254.169.254/"}, "metadata"),
        "private name": ({"url": "https://inside.example.com/h"}, "private"),
        "not a url": ({"url": "ftp://public.example.com/"}, "http(s)"),
        "no events": ({"events": []}, "events must list"),
        "unknown event": ({"events": ["ticket_exploded"]}, "unknown: ticket_exploded"),
        "events not a list": ({"events": "ticket_created"}, "events must be a list"),
        "bad format": ({"format": "fax"}, "format must be one of"),
    }
    for label, (body, words) in refused.items():
        response = await create(client, world.token, **body)
        assert response.status_code == 400, (label, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR" and words in error["message"], (label, error)
    listed = (await client.get(BASE, headers=bearer(world.token))).json()
    assert listed["data"] == []


async def test_only_administrators_manage_endpoints(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    agent = await factory.token(await factory.user(world.tenant, Role.AGENT))
    assert (await create(client, agent)).status_code == 403
    assert (await client.get(BASE, headers=bearer(agent))).status_code == 403
    assert (await client.get(BASE)).status_code == 401


async def test_update_pause_and_delete(client: httpx.AsyncClient, factory: Factory) -> None:
    world = await factory.world()
    made = (await create(client, world.token)).json()
    path = f"{BASE}/{made['id']}"
    changed = await client.patch(
        path, json={"events": ["assigned", "ticket_assigned"], "active": False},
        headers=bearer(world.token),
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"] == ["assigned", "ticket_assigned"]
    assert changed.json()["active"] is False and changed.json()["disabled_at"]
    bad = await client.patch(path, json={"url": "http://10.0.0.1/"}, headers=bearer(world.token))
    assert bad.status_code == 400
    assert (await client.get(path, headers=bearer(world.token))).json()["url"] == PUBLIC
    assert (await client.delete(path, headers=bearer(world.token))).status_code == 204
    assert (await client.get(path, headers=bearer(world.token))).status_code == 404


async def test_both_secrets_sign_during_the_grace_period(
    client: httpx.AsyncClient,
    local: Services,
    sender: WebhookSender,
    receiver: Receiver,
    factory: Factory,
) -> None:
    world = await factory.world()
    hook, old = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    path = f"{BASE}/whe_{hook.id}/rotate-secret"
    rotated = await client.post(path, json={"grace_seconds": 3600}, headers=bearer(world.token))
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["signing_secret"]
    assert new != old and rotated.json()["previous_secret_expires_at"]
    await factory.ticket(world.tenant, world.board)
    (made,) = await deliveries(local, hook.id)
    for secrets in ([old], [new]):
        receiver.secrets = secrets
        replay = f"{BASE}/whe_{hook.id}/deliveries/whd_{made.id}/replay"
        await client.post(replay, headers=bearer(world.token))
        await drain(local, sender, hook.id)
    assert receiver.refused_signatures == 0 and len(receiver.delivered) == 2
    assert len(receiver.headers[-1]["webhook-signature"].split(" ")) == 2
    # Without a grace period the old secret stops signing at once.
    await client.post(path, json={"grace_seconds": 0}, headers=bearer(world.token))
    assert (await client.post(path, content=b"", headers=bearer(world.token))).status_code == 200


async def test_replays_send_again_under_the_same_id(
    client: httpx.AsyncClient,
    local: Services,
    sender: WebhookSender,
    receiver: Receiver,
    factory: Factory,
) -> None:
    world = await factory.world()
    hook, secret = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"])
    receiver.secrets = [secret]
    receiver.plan = lambda n: Response("gone", 410) if n == 1 else Response("ok")
    await factory.ticket(world.tenant, world.board, title="First")
    await drain(local, sender, hook.id)
    listed = await client.get(
        f"{BASE}/whe_{hook.id}/deliveries?status=failed", headers=bearer(world.token)
    )
    (failed,) = listed.json()["data"]
    detail = await client.get(
        f"{BASE}/whe_{hook.id}/deliveries/{failed['id']}", headers=bearer(world.token)
    )
    assert [a["status_code"] for a in detail.json()["attempt_log"]] == [410]
    assert detail.json()["attempt_log"][0]["response_excerpt"] == "gone"
    turned_on = await client.patch(
        f"{BASE}/whe_{hook.id}", json={"active": True}, headers=bearer(world.token)
    )
    assert turned_on.json()["disabled_reason"] is None
    bad = await client.post(
        f"{BASE}/whe_{hook.id}/replay", json={"since": "yesterday"}, headers=bearer(world.token)
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"
    replayed = await client.post(
        f"{BASE}/whe_{hook.id}/replay",
        json={"since": "2026-01-01T00:00:00Z"},
        headers=bearer(world.token),
    )
    assert replayed.status_code == 202 and replayed.json() == {"replayed": 1}
    await drain(local, sender, hook.id)
    assert receiver.ids() == [failed["message_id"]]
    again = await client.post(
        f"{BASE}/whe_{hook.id}/deliveries/{failed['id']}/replay", headers=bearer(world.token)
    )
    assert again.status_code == 202 and again.json()["status"] == "pending"
    await drain(local, sender, hook.id)
    assert receiver.ids() == [failed["message_id"]] * 2


async def test_chat_formats_post_readable_messages(
    local: Services, sender: WebhookSender, receiver: Receiver, factory: Factory
) -> None:
    world = await factory.world()
    shapes = {"slack": {"text", "blocks"}, "teams": None, "discord": {"content", "embeds"}}
    for format, keys in shapes.items():
        hook, _ = await endpoint(local, world.tenant, receiver.url, events=["ticket_created"],
                                 format=format)  # fmt: skip
        await factory.ticket(world.tenant, world.board, title=f"Printer on fire ({format})")
        await drain(local, sender, hook.id)
        body = receiver.delivered[-1]
        assert "webhook-signature" not in receiver.headers[-1]
        if keys:
            assert set(body) - {"id"} == keys
        else:
            assert body["@type"] == "MessageCard"
        assert f"Printer on fire ({format})" in str(body)


async def test_graphql_create_shows_the_secret_and_refuses_bad_urls(factory: Factory) -> None:
    world = await factory.world()
    document = """mutation($i: CreateWebhookEndpointInput!) {
      createWebhookEndpoint(input: $i) { signingSecret endpoint { id events format } }
    }"""
    made = await factory.gql(
        document, {"i": {"url": PUBLIC, "events": ["status_changed"]}}, token=world.token
    )
    answer = made["data"]["createWebhookEndpoint"]
    assert SECRET.match(answer["signingSecret"]) and answer["endpoint"]["format"] == "STANDARD"
    refused = await factory.gql(
        document, {"i": {"url": "http://localhost/x", "events": ["assigned"]}}, token=world.token
    )
    assert error_codes(refused) == ["VALIDATION_ERROR"]


async def test_every_change_to_an_endpoint_is_in_the_audit_chain(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    world = await factory.world()
    made = (await create(client, world.token)).json()
    path = f"{BASE}/{made['id']}"
    await client.patch(path, json={"active": False}, headers=bearer(world.token))
    await client.post(f"{path}/rotate-secret", json={}, headers=bearer(world.token))
    await client.delete(path, headers=bearer(world.token))
    audit = await factory.gql(
        "query { auditLog(first: 20) { edges { node { action details } } } }", token=world.token
    )
    entries = [edge["node"] for edge in audit["data"]["auditLog"]["edges"]]
    actions = sorted(e["action"] for e in entries if e["action"].startswith("webhook_endpoint."))
    assert actions == [
        "webhook_endpoint.created",
        "webhook_endpoint.deleted",
        "webhook_endpoint.secret_rotated",
        "webhook_endpoint.updated",
    ]
    assert all(e["details"]["url"] == PUBLIC for e in entries if "webhook" in e["action"])
