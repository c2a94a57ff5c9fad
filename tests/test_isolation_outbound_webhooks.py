"""Cross-tenant probes for outbound webhooks: tenant B's admin aims every webhook field, and the
REST routes, at tenant A's endpoint and delivery.

The intruder (by token and by API key) gets null, NOT_FOUND or only B's own data, never a
string of A's, and A's endpoints read back unchanged. The owner's run of the same document
finds A's object, so no probe passes vacuously."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
import pytest

from tests.factories import Factory, World, error_codes
from tests.outbound_webhooks.helpers import endpoint_with_delivery

COVERS = {
    "Query.webhookEndpoints",
    "Query.webhookEndpoint",
    "Query.webhookDeliveries",
    "Mutation.createWebhookEndpoint",
    "Mutation.updateWebhookEndpoint",
    "Mutation.deleteWebhookEndpoint",
    "Mutation.rotateWebhookSecret",
    "Mutation.replayWebhookDelivery",
    "Mutation.replayFailedWebhookDeliveries",
}
CREDENTIALS = ("token", "api_key")


@dataclass
class Side:
    world: World
    endpoint: str
    delivery: str

    def markers(self) -> list[str]:
        ids = [self.endpoint, self.delivery]
        return [i.partition("_")[2] for i in ids] + [str(self.world.tenant.id)]


class Intruder(Enum):
    NULL = "null, no error"
    NOT_FOUND = "NOT_FOUND, no data"
    OWN = "success, scoped to the caller's own tenant"


@dataclass(frozen=True)
class Probe:
    field: str
    document: str
    variables: Callable[[Side], dict[str, Any]]
    intruder: Intruder
    # Where the owner's answer names the victim's object (None: it answers with a new one).
    found: Callable[[Side], str] | None = None

    @property
    def root(self) -> str:
        return self.field.partition(".")[2]

    def __str__(self) -> str:
        return self.root


def endpoint(side: Side) -> str:
    return side.endpoint


def delivery(side: Side) -> str:
    return side.delivery


PROBES = [
    Probe("Query.webhookEndpoints", "query { webhookEndpoints { edges { node { id url } } } }",
          lambda v: {}, Intruder.OWN, endpoint),
    Probe("Query.webhookEndpoint", "query($id: ID!) { webhookEndpoint(id: $id) { id url } }",
          lambda v: {"id": v.endpoint}, Intruder.NULL, endpoint),
    Probe("Query.webhookDeliveries",
          "query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id } } } }",
          lambda v: {"id": v.endpoint}, Intruder.OWN, delivery),
    Probe("Mutation.createWebhookEndpoint",
          "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) "
          "{ endpoint { id } } }",
          lambda v: {"i": {"url": "https://public.example.com/x", "events": ["assigned"]}},
          Intruder.OWN),
    Probe("Mutation.updateWebhookEndpoint",
          "mutation($i: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $i) "
          "{ endpoint { id } } }",
          lambda v: {"i": {"id": v.endpoint, "url": "https://public.example.com/stolen"}},
          Intruder.NOT_FOUND, endpoint),
    Probe("Mutation.rotateWebhookSecret",
          "mutation($i: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $i) "
          "{ signingSecret endpoint { id } } }",
          lambda v: {"i": {"id": v.endpoint}}, Intruder.NOT_FOUND, endpoint),
    Probe("Mutation.replayWebhookDelivery",
          "mutation($i: ReplayWebhookDeliveryInput!) { replayWebhookDelivery(input: $i) "
          "{ delivery { id } } }",
          lambda v: {"i": {"endpointId": v.endpoint, "deliveryId": v.delivery}},
          Intruder.NOT_FOUND, delivery),
    Probe("Mutation.replayFailedWebhookDeliveries",
          "mutation($i: ReplayFailedWebhookDeliveriesInput!) "
          "{ replayFailedWebhookDeliveries(input: $i) { replayed } }",
          lambda v: {"i": {"endpointId": v.endpoint, "since": "2026-01-01T00:00:00Z"}},
          Intruder.NOT_FOUND),
    Probe("Mutation.deleteWebhookEndpoint",
          "mutation($i: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $i) "
          "{ deletedId } }",
          lambda v: {"i": {"id": v.endpoint}}, Intruder.NOT_FOUND, endpoint),
]  # fmt: skip

SNAPSHOT = """query {
  webhookEndpoints { edges { node {
    id url description events format active signingSecretLast4 secretRotatedAt updatedAt
    deliveries { edges { node { id status attempts nextAttemptAt } } }
  } } }
}"""


@pytest.fixture
async def sides(factory: Factory) -> tuple[Side, Side]:
    made = []
    for _ in range(2):
        world = await factory.world()
        made.append(Side(world, *await endpoint_with_delivery(factory, world)))
    return made[0], made[1]


async def snapshot(factory: Factory, side: Side) -> dict[str, Any]:
    body = await factory.gql(SNAPSHOT, token=side.world.token)
    assert error_codes(body) == [], body
    return dict(body["data"])


def credentials(side: Side, kind: str) -> dict[str, str]:
    return {"token": side.world.token} if kind == "token" else {"api_key": side.world.api_key}


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_intruder_gets_nothing_of_the_victims(
    factory: Factory, sides: tuple[Side, Side], probe: Probe, credential: str
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    body = await factory.gql(
        probe.document, probe.variables(victim), **credentials(intruder, credential)
    )
    codes, data = error_codes(body), body.get("data") or {}
    if probe.intruder is Intruder.NULL:
        assert codes == [] and data[probe.root] is None, body
    elif probe.intruder is Intruder.NOT_FOUND:
        assert codes == ["NOT_FOUND"] and data.get(probe.root) is None, body
    else:
        assert codes == [] and data.get(probe.root) is not None, body
    assert not [m for m in victim.markers() if m in json.dumps(body)], body
    assert await snapshot(factory, victim) == before


@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_owner_control_finds_its_own_objects(
    factory: Factory, sides: tuple[Side, Side], probe: Probe
) -> None:
    victim, _ = sides
    body = await factory.gql(probe.document, probe.variables(victim), token=victim.world.token)
    assert error_codes(body) == [] and body["data"][probe.root] is not None, body
    if probe.found is not None:
        assert probe.found(victim) in json.dumps(body), body


def test_covers_names_every_probed_field() -> None:
    assert {probe.field for probe in PROBES} == COVERS


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_rest_routes_on_another_tenants_endpoint_are_not_found(
    client: httpx.AsyncClient, factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    secret = intruder.world.token if credential == "token" else intruder.world.api_key
    headers = {"Authorization": f"Bearer {secret}"}
    before = await snapshot(factory, victim)
    base = f"/api/v1/webhook-endpoints/{victim.endpoint}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"active": False}),
        ("POST", f"{base}/rotate-secret", {}),
        ("GET", f"{base}/deliveries", None),
        ("GET", f"{base}/deliveries/{victim.delivery}", None),
        ("POST", f"{base}/deliveries/{victim.delivery}/replay", None),
        ("POST", f"{base}/replay", {"since": "2026-01-01T00:00:00Z"}),
        ("DELETE", base, None),
    ]
    for method, path, body in calls:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    listed = await client.get("/api/v1/webhook-endpoints", headers=headers)
    assert [item["id"] for item in listed.json()["data"]] == [intruder.endpoint]
    assert await snapshot(factory, victim) == before
