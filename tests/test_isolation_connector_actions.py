"""Cross-tenant probes for connector action calls: tenant B's admin (by token and by API key)
aims every field and route that runs, approves or lists calls, or sets connector secrets, at
tenant A's case, action, call and connector. B gets NOT_FOUND and never a string of A's; A's
calls read back unchanged. The owner's run of the same document succeeds, so no probe passes
only because it is broken."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.connectors.action_helpers import Scene, build_scene, listed, receiver, run
from tests.connectors.action_receiver import Receiver
from tests.factories import Factory, error_codes

__all__ = ["receiver"]

COVERS = {
    "Query.connectorActionExecutions",
    "Mutation.runConnectorAction",
    "Mutation.approveConnectorAction",
    "Mutation.setConnectorSecret",
}
CREDENTIALS = ("token", "api_key")


@dataclass
class Side:
    scene: Scene
    execution: str
    api_key: str

    def markers(self) -> list[str]:
        ids = [self.scene.case, self.scene.action, self.scene.connector, self.execution]
        return [value.partition("_")[2] for value in ids]


async def build_side(client: httpx.AsyncClient, factory: Factory, url: str) -> Side:
    scene = await build_scene(client, factory, url, requires_approval=True)
    body = {"action_id": scene.action, "reason": "Threats", "variables": {"duration": "7d"}}
    asked = await run(client, scene.agent_token, scene.case, body)
    assert asked.status_code == 201, asked.text
    return Side(scene, asked.json()["id"], await factory.api_key(scene.world.tenant))


@dataclass(frozen=True)
class Probe:
    field: str
    document: str
    variables: Callable[[Side], dict[str, Any]]

    def __str__(self) -> str:
        return self.field


PROBES = [
    Probe(
        "connectorActionExecutions",
        "query($c: ID!) { connectorActionExecutions(caseId: $c) { id reason } }",
        lambda s: {"c": s.scene.case},
    ),
    Probe(
        "runConnectorAction",
        "mutation($i: RunConnectorActionInput!) "
        "{ runConnectorAction(input: $i) { execution { id } } }",
        lambda s: {
            "i": {
                "caseId": s.scene.case,
                "actionId": s.scene.action,
                "reason": "Again",
                "variables": {"duration": "1d"},
            }
        },
    ),
    Probe(
        "approveConnectorAction",
        "mutation($i: ApproveConnectorActionInput!) "
        "{ approveConnectorAction(input: $i) { execution { status } } }",
        lambda s: {"i": {"caseId": s.scene.case, "executionId": s.execution}},
    ),
    Probe(
        "setConnectorSecret",
        "mutation($i: SetConnectorSecretInput!) "
        "{ setConnectorSecret(input: $i) { secret { name } } }",
        lambda s: {
            "i": {"connectorId": s.scene.connector, "name": "service_key", "value": "stolen"}
        },
    ),
]


@pytest.fixture
async def sides(
    client: httpx.AsyncClient, factory: Factory, receiver: tuple[Receiver, str]
) -> tuple[Side, Side]:
    return (
        await build_side(client, factory, receiver[1]),
        await build_side(client, factory, receiver[1]),
    )


def _auth(side: Side, credential: str) -> dict[str, str]:
    return {"token": side.scene.world.token} if credential == "token" else {"api_key": side.api_key}


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_another_tenant_finds_nothing(
    client: httpx.AsyncClient,
    factory: Factory,
    sides: tuple[Side, Side],
    probe: Probe,
    credential: str,
) -> None:
    victim, intruder = sides
    before = await listed(client, victim.scene.world.token, victim.scene.case)
    body = await factory.gql(probe.document, probe.variables(victim), **_auth(intruder, credential))
    assert error_codes(body) == ["NOT_FOUND"], body
    assert not any(marker in json.dumps(body) for marker in victim.markers())
    assert await listed(client, victim.scene.world.token, victim.scene.case) == before


@pytest.mark.parametrize("probe", PROBES, ids=str)
async def test_the_owner_finds_it(factory: Factory, sides: tuple[Side, Side], probe: Probe) -> None:
    owner, _ = sides
    body = await factory.gql(probe.document, probe.variables(owner), token=owner.scene.world.token)
    assert error_codes(body) == [] and body["data"][probe.field], body


ROUTES = [
    ("GET", "/api/v1/cases/{case}/actions", None),
    ("POST", "/api/v1/cases/{case}/actions", "run"),
    ("POST", "/api/v1/cases/{case}/actions/{execution}/approve", None),
    ("GET", "/api/v1/connectors/{connector}/secrets", None),
    ("POST", "/api/v1/connectors/{connector}/secrets", "secret"),
]


@pytest.mark.parametrize(("method", "path", "kind"), ROUTES)
async def test_another_tenant_is_not_found_over_rest(
    client: httpx.AsyncClient, sides: tuple[Side, Side], method: str, path: str, kind: str | None
) -> None:
    victim, intruder = sides
    target = path.format(
        case=victim.scene.case, execution=victim.execution, connector=victim.scene.connector
    )
    bodies = {
        "run": {"action_id": victim.scene.action, "reason": "x", "variables": {"duration": "1"}},
        "secret": {"name": "service_key", "value": "stolen"},
    }
    response = await client.request(
        method,
        target,
        json=bodies.get(kind or ""),
        headers={"Authorization": f"Bearer {intruder.scene.world.token}"},
    )
    assert response.status_code == 404, response.text
    assert not any(marker in response.text for marker in victim.markers())
