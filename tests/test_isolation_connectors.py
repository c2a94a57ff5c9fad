"""Cross-tenant probes for connectors: tenant B's admin aims every connector field, and the REST
routes, at tenant A's connectors, mappings and actions.

The intruder (by token and by API key) gets null, NOT_FOUND or only B's own data, never a
string of A's; A's connectors read back unchanged and A's secret still signs an accepted
event. The owner's run of the same document finds A's object, so no probe passes vacuously."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpx
import pytest

from tests.connectors.helpers import (
    ACTION_EXAMPLE,
    MAPPING_EXAMPLE,
    bearer,
    create,
    post,
    send_event,
)
from tests.factories import Factory, World, error_codes

COVERS = {
    "Query.connectors",
    "Query.connector",
    "Mutation.createConnector",
    "Mutation.rotateConnectorSecret",
    "Mutation.deactivateConnector",
    "Mutation.activateConnector",
    "Mutation.saveInboundMapping",
    "Mutation.createOutboundAction",
}
CREDENTIALS = ("token", "api_key")


@dataclass
class Side:
    """A tenant with an active connector (a mapping, an action) and an inactive one."""

    world: World
    connector: str
    secret: str
    stopped: str
    mapping: str
    action: str
    word: str

    def markers(self) -> list[str]:
        ids = [self.connector, self.stopped, self.mapping, self.action]
        return [i.partition("_")[2] for i in ids] + [
            str(self.world.tenant.id),
            self.secret.removeprefix("whsec_"),
            self.word,
        ]


async def build_side(client: httpx.AsyncClient, factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    created = await create(client, world.token, {"name": f"Platform {word}", "type": "webhook"})
    connector, secret = created["id"], created["config"]["signing_secret"]
    stopped = (await create(client, world.token, {"name": f"Old {word}", "type": "api"}))["id"]
    assert (await post(client, world.token, f"/{stopped}/deactivate", "")).status_code == 200
    mapping = (await post(client, world.token, f"/{connector}/mappings", MAPPING_EXAMPLE)).json()
    action = (await post(client, world.token, f"/{connector}/actions", ACTION_EXAMPLE)).json()
    return Side(world, connector, secret, stopped, mapping["id"], action["id"], word)


@pytest.fixture
async def sides(client: httpx.AsyncClient, factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder, built alike."""
    return await build_side(client, factory), await build_side(client, factory)


class Intruder(Enum):
    NULL = "null, no error"
    NOT_FOUND = "NOT_FOUND, no data"
    OWN = "success, scoped to the caller's own tenant"


Target = Callable[[Side], str]


@dataclass(frozen=True)
class Probe:
    field: str
    label: str
    document: str
    variables: Callable[[Side], dict[str, Any]]
    intruder: Intruder
    target: Target | None = None

    @property
    def root(self) -> str:
        return self.field.partition(".")[2]

    def __str__(self) -> str:
        return self.label


def connector(side: Side) -> str:
    return side.connector


def stopped(side: Side) -> str:
    return side.stopped


CONNECTORS = """query {
  connectors(first: 100) { totalCount edges { node { id name config
    inboundMappings { id } outboundActions { id endpoint } } } }
}"""
CONNECTOR = """query($id: ID!) {
  connector(id: $id) { id name signingSecretLast4 inboundMappings { id } outboundActions { id } }
}"""
NODE = """query($id: ID!) {
  node(id: $id) {
    id ... on Connector { name } ... on InboundMapping { eventType }
    ... on OutboundAction { endpoint }
  }
}"""
CREATE = """mutation($name: String!) {
  createConnector(input: {name: $name, type: WEBHOOK}) { signingSecret connector { id name } }
}"""
ROTATE = """mutation($id: ID!) {
  rotateConnectorSecret(input: {id: $id, graceSeconds: 0}) { signingSecret connector { id } }
}"""
DEACTIVATE = """mutation($id: ID!) {
  deactivateConnector(input: {id: $id}) { connector { id name status } }
}"""
ACTIVATE = """mutation($id: ID!) {
  activateConnector(input: {id: $id}) { connector { id name status } }
}"""
SAVE_MAPPING = """mutation($id: ID!) {
  saveInboundMapping(input: {connectorId: $id, eventType: "user_reported",
    fieldMappings: [{source: "payload.reason", target: "title"}]}) { mapping { id } }
}"""
CREATE_ACTION = """mutation($id: ID!) {
  createOutboundAction(input: {connectorId: $id, actionType: SUSPEND_USER,
    endpoint: "https://attacker.example/hook", method: POST, payloadTemplate: "{}"})
    { action { id } }
}"""

PROBES = [
    Probe("Query.connectors", "connectors", CONNECTORS, lambda v: {}, Intruder.OWN, connector),
    Probe(
        "Query.connector", "connector", CONNECTOR, lambda v: {"id": v.connector}, Intruder.NULL,
        connector,
    ),
    Probe("Query.node", "node(Connector)", NODE, lambda v: {"id": v.connector}, Intruder.NULL,
          connector),
    Probe("Query.node", "node(InboundMapping)", NODE, lambda v: {"id": v.mapping}, Intruder.NULL,
          lambda s: s.mapping),
    Probe("Query.node", "node(OutboundAction)", NODE, lambda v: {"id": v.action}, Intruder.NULL,
          lambda s: s.action),
    Probe(
        "Mutation.createConnector", "createConnector", CREATE,
        lambda v: {"name": "Probe connector"}, Intruder.OWN,
    ),
    Probe(
        "Mutation.rotateConnectorSecret", "rotateConnectorSecret", ROTATE,
        lambda v: {"id": v.connector}, Intruder.NOT_FOUND, connector,
    ),
    Probe(
        "Mutation.deactivateConnector", "deactivateConnector", DEACTIVATE,
        lambda v: {"id": v.connector}, Intruder.NOT_FOUND, connector,
    ),
    Probe(
        "Mutation.activateConnector", "activateConnector", ACTIVATE,
        lambda v: {"id": v.stopped}, Intruder.NOT_FOUND, stopped,
    ),
    Probe(
        "Mutation.saveInboundMapping", "saveInboundMapping", SAVE_MAPPING,
        lambda v: {"id": v.connector}, Intruder.NOT_FOUND,
    ),
    Probe(
        "Mutation.createOutboundAction", "createOutboundAction", CREATE_ACTION,
        lambda v: {"id": v.connector}, Intruder.NOT_FOUND,
    ),
]  # fmt: skip

SNAPSHOT = """query {
  connectors(first: 100) { totalCount edges { node {
    id name type status config signingSecretLast4 secretRotatedAt previousSecretExpiresAt
    deactivatedAt createdAt inboundMappingsCount outboundActionsCount
    inboundMappings { id eventType createdAt fieldMappings { source target transform } }
    outboundActions { id actionType endpoint method headers payloadTemplate createdAt }
  } } }
}"""


async def call(factory: Factory, probe: Probe, victim: Side, caller: Side, credential: str) -> dict:
    credentials = (
        {"token": caller.world.token}
        if credential == "token"
        else {"api_key": caller.world.api_key}
    )
    return await factory.gql(probe.document, probe.variables(victim), **credentials)


async def snapshot(factory: Factory, side: Side) -> dict[str, Any]:
    body = await factory.gql(SNAPSHOT, token=side.world.token)
    assert error_codes(body) == [], body
    return dict(body["data"])


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


def check_intruder(probe: Probe, body: dict[str, Any], victim: Side) -> None:
    codes, data = error_codes(body), body.get("data") or {}
    if probe.intruder is Intruder.NULL:
        assert codes == [] and probe.root in data and data[probe.root] is None, body
    elif probe.intruder is Intruder.NOT_FOUND:
        assert codes == ["NOT_FOUND"] and data.get(probe.root) is None, body
    else:
        assert codes == [] and data.get(probe.root) is not None, body
    assert not leaks(body, victim), f"{probe} leaked {leaks(body, victim)}: {body}"


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_intruder_gets_nothing_of_the_victims(
    client: httpx.AsyncClient,
    factory: Factory,
    sides: tuple[Side, Side],
    probe: Probe,
    credential: str,
) -> None:
    victim, intruder = sides
    before = await snapshot(factory, victim)
    body = await call(factory, probe, victim, intruder, credential)
    check_intruder(probe, body, victim)
    after = await snapshot(factory, victim)
    assert after == before
    statuses = {edge["node"]["id"]: edge["node"]["status"] for edge in after["connectors"]["edges"]}
    assert statuses == {victim.connector: "ACTIVE", victim.stopped: "INACTIVE"}
    # The victim's secret was not rotated away: it still signs an accepted event.
    response = await send_event(client, victim.world.api_key, victim.secret)
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_owner_control_finds_its_own_objects(
    factory: Factory, sides: tuple[Side, Side], probe: Probe
) -> None:
    victim, _ = sides
    body = await call(factory, probe, victim, victim, "token")
    assert error_codes(body) == [] and body["data"][probe.root] is not None, body
    if probe.target is not None:
        assert probe.target(victim) in json.dumps(body), body


def test_covers_names_the_probed_connector_fields() -> None:
    assert {probe.field for probe in PROBES} - {"Query.node"} == COVERS


REST_CALLS = [
    ("/{id}/mappings", MAPPING_EXAMPLE),
    ("/{id}/actions", ACTION_EXAMPLE),
    ("/{id}/rotate-secret", '{"grace_seconds": 0}'),
    ("/{id}/deactivate", ""),
]


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_rest_calls_on_another_tenants_connector_are_not_found(
    client: httpx.AsyncClient, factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    secret = intruder.world.token if credential == "token" else intruder.world.api_key
    before = await snapshot(factory, victim)
    for path, body in REST_CALLS:
        for target in (victim.connector, victim.connector.removeprefix("con_")):
            response = await post(client, secret, path.format(id=target), body)
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "NOT_FOUND"
    listed = await client.get("/api/v1/connectors", headers=bearer(secret))
    assert {item["id"] for item in listed.json()["data"]} == {intruder.connector, intruder.stopped}
    assert not [marker for marker in victim.markers() if marker in listed.text]
    assert await snapshot(factory, victim) == before
    response = await send_event(client, victim.world.api_key, victim.secret)
    assert response.status_code == 202, response.text
    # The control: the owner's own key reaches the same routes.
    for path, body in REST_CALLS:
        response = await post(client, victim.world.api_key, path.format(id=victim.connector), body)
        assert response.status_code in (200, 201), response.text


async def test_a_secret_signs_only_for_its_own_tenant(
    client: httpx.AsyncClient, sides: tuple[Side, Side]
) -> None:
    """A's secret with B's API key is refused: secrets verify only their own tenant's events."""
    victim, intruder = sides
    response = await send_event(client, intruder.world.api_key, victim.secret)
    assert response.status_code == 403, response.text
