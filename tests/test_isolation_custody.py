"""Cross-tenant probes for evidence: tenant B's admin (by token and by API key) aims every
evidence query and mutation, and the REST endpoints, at tenant A's cases, evidence and platform
events, and finds nothing: NOT_FOUND, no string of A's in the answer, and nothing written to
A's evidence, custody log or audit chain. A's admin running the same documents finds A's
objects, so no probe passes vacuously."""

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from app.cases.models import CaseType, SafetyCase
from app.services import Services
from tests.cases.helpers import open_case
from tests.evidence.helpers import (
    audit_rows,
    custody_rows,
    evidence_rows,
    preserve_by_gql,
    preserve_input,
    received_event,
)
from tests.factories import Factory, World, error_codes, gid

COVERS = {
    "Query.evidence",
    "Query.evidenceItem",
    "Mutation.preserveEvidence",
    "Mutation.preserveWebhookEvidence",
    "Mutation.setEvidenceLegalHold",
}
CREDENTIALS = ("token", "api_key")

LIST = "query($id: ID!) { evidence(caseId: $id) { totalCount edges { node { id sha256 } } } }"
ONE = 'query($id: ID!) { evidenceItem(id: $id, reason: "Probe") { id description } }'
PRESERVE = (
    "mutation($i: PreserveEvidenceInput!) { preserveEvidence(input: $i) { evidence { id } } }"
)
WEBHOOK = (
    "mutation($i: PreserveWebhookEvidenceInput!) "
    "{ preserveWebhookEvidence(input: $i) { evidence { id sourceEventId } } }"
)
HOLD = (
    "mutation($i: SetEvidenceLegalHoldInput!) "
    "{ setEvidenceLegalHold(input: $i) { evidence { id legalHold } } }"
)


@dataclass
class Side:
    """A tenant with a CSEA and a harassment case, evidence on each, and a received event."""

    world: World
    cases: list[SafetyCase]
    evidence: list[str]
    event_id: str

    def markers(self) -> list[str]:
        ids = [str(self.world.tenant.id), *(str(case.id) for case in self.cases)]
        return [*ids, *self.evidence, self.event_id]


async def build_side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    cases = [
        await open_case(services, world.admin, CaseType.CSEA),
        await open_case(services, world.admin, CaseType.HARASSMENT),
    ]
    evidence = [await preserve_by_gql(factory, gid("cas", c.id), world.token) for c in cases]
    ticket = await factory.ticket(world.tenant, world.board)
    return Side(world, cases, evidence, await received_event(services, world.tenant.id, ticket.id))


@pytest.fixture
async def sides(services: Services, factory: Factory) -> tuple[Side, Side]:
    """(A, B): the victim and the intruder, built alike."""
    return await build_side(services, factory), await build_side(services, factory)


async def call(
    factory: Factory, document: str, variables: dict[str, Any], caller: Side, credential: str
) -> dict[str, Any]:
    if credential == "token":
        return await factory.gql(document, variables, token=caller.world.token)
    return await factory.gql(document, variables, api_key=caller.world.api_key)


def leaks(body: Any, victim: Side) -> list[str]:
    text = body if isinstance(body, str) else json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


async def records(services: Services, side: Side) -> tuple[Any, ...]:
    """What an intruder must leave alone: A's evidence, custody log and audit chain."""
    tenant = side.world.tenant.id
    evidence = sorted(str(item.id) for item in await evidence_rows(services, tenant))
    custody = [entry.id for entry in await custody_rows(services, tenant)]
    audit = [(entry.seq, entry.hash) for entry in await audit_rows(services, tenant)]
    return evidence, custody, audit


def probes(victim: Side, intruder: Side) -> list[tuple[str, dict[str, Any]]]:
    own_case = gid("cas", intruder.cases[1].id)
    calls: list[tuple[str, dict[str, Any]]] = []
    for case in victim.cases:
        case_id = gid("cas", case.id)
        calls += [
            (LIST, {"id": case_id}),
            (PRESERVE, {"i": preserve_input(case_id)}),
            (WEBHOOK, {"i": {"caseId": case_id, "eventId": intruder.event_id, "reason": "x"}}),
        ]
    for evidence_id in victim.evidence:
        calls += [
            (ONE, {"id": evidence_id}),
            (HOLD, {"i": {"id": evidence_id, "on": True, "reason": "Probe"}}),
        ]
    calls.append((WEBHOOK, {"i": {"caseId": own_case, "eventId": victim.event_id, "reason": "x"}}))
    return calls


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_every_evidence_field_reads_the_victims_objects_as_missing(
    services: Services, factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    before = await records(services, victim)
    mine_before = len(await evidence_rows(services, intruder.world.tenant.id))
    for document, variables in probes(victim, intruder):
        body = await call(factory, document, variables, intruder, credential)
        assert error_codes(body) == ["NOT_FOUND"], (document, variables, body)
        assert body["data"] is None
        assert not leaks(body, victim), body
    assert await records(services, victim) == before
    assert len(await evidence_rows(services, intruder.world.tenant.id)) == mine_before


async def test_the_owner_finds_its_objects_with_the_same_documents(
    factory: Factory, sides: tuple[Side, Side]
) -> None:
    victim, _ = sides
    for case, evidence_id in zip(victim.cases, victim.evidence, strict=True):
        case_id = gid("cas", case.id)
        listing = await call(factory, LIST, {"id": case_id}, victim, "token")
        assert listing["data"]["evidence"]["edges"][0]["node"]["id"] == evidence_id
        one = await call(factory, ONE, {"id": evidence_id}, victim, "api_key")
        assert one["data"]["evidenceItem"]["id"] == evidence_id
        held = await call(
            factory, HOLD, {"i": {"id": evidence_id, "on": True, "reason": "Own"}}, victim, "token"
        )
        assert held["data"]["setEvidenceLegalHold"]["evidence"]["legalHold"] is True
        added = await call(factory, PRESERVE, {"i": preserve_input(case_id)}, victim, "token")
        assert added["data"]["preserveEvidence"]["evidence"]["id"].startswith("evi_")
    webhook = {"caseId": gid("cas", victim.cases[1].id), "eventId": victim.event_id, "reason": "x"}
    kept = await call(factory, WEBHOOK, {"i": webhook}, victim, "token")
    assert kept["data"]["preserveWebhookEvidence"]["evidence"]["sourceEventId"] == victim.event_id


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_the_rest_endpoints_find_nothing_of_the_victims(
    services: Services,
    factory: Factory,
    client: httpx.AsyncClient,
    sides: tuple[Side, Side],
    credential: str,
) -> None:
    victim, intruder = sides
    if credential == "token":
        headers = {"Authorization": f"Bearer {intruder.world.token}"}
    else:
        headers = {"X-API-Key": intruder.world.api_key}
    before = await records(services, victim)
    paths = [f"/api/v1/evidence?case_id={gid('cas', case.id)}" for case in victim.cases]
    paths += [f"/api/v1/evidence?case_id={case.id}" for case in victim.cases]
    paths += [f"/api/v1/evidence/{evidence_id}/content?reason=x" for evidence_id in victim.evidence]
    for path in paths:
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
        assert not leaks(response.text, victim), response.text
    assert await records(services, victim) == before
    owner = {"Authorization": f"Bearer {victim.world.token}"}
    for path in paths:
        assert (await client.get(path, headers=owner)).status_code == 200, path
