"""Cross-tenant probes for referrals: tenant B's admin (by token and by API key) aims every
referral query and mutation, and the REST endpoints, at tenant A's cases and referrals, and
finds nothing: NOT_FOUND or null, only B's own referrals in lists, no string of A's in the
answer, and nothing written to A's referrals or audit chain. A's admin running the same
documents finds A's objects, so no probe passes vacuously."""

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.cases.models import CaseType, SafetyCase
from app.referrals.models import Referral
from app.services import Services
from tests.cases.helpers import audit_entries, open_case
from tests.factories import Factory, World, error_codes, gid
from tests.referrals.helpers import create, preserve, waiting_referrals

COVERS = {
    "Query.referrals",
    "Query.referral",
    "Mutation.createReferral",
    "Mutation.submitReferralForReview",
    "Mutation.returnReferralToDraft",
    "Mutation.submitReferral",
    "Mutation.acknowledgeReferral",
    "Mutation.withdrawReferral",
}
CREDENTIALS = ("token", "api_key")

LIST = "query { referrals(first: 100) { totalCount edges { node { id summary } } } }"
ONE = "query($id: ID!) { referral(id: $id) { id summary case { id } exportDocument } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
CREATE = "mutation($i: CreateReferralInput!) { createReferral(input: $i) { referral { id } } }"
STEPS: dict[str, tuple[str, dict[str, str]]] = {
    "submitReferralForReview": ("SubmitReferralForReviewInput", {}),
    "returnReferralToDraft": ("ReturnReferralToDraftInput", {"reason": "Probe"}),
    "submitReferral": ("SubmitReferralInput", {}),
    "acknowledgeReferral": ("AcknowledgeReferralInput", {"referenceNumber": "NCA-1"}),
    "withdrawReferral": ("WithdrawReferralInput", {"reason": "Probe"}),
}


def step_document(name: str) -> str:
    input_type, _ = STEPS[name]
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ referral {{ id status }} }} }}"


@dataclass
class Side:
    """A tenant with a CSEA case referred in draft, a harassment case with evidence and no
    referral, and referrals waiting for each workflow step."""

    world: World
    cases: list[SafetyCase]
    csea_referral: str
    waiting: dict[str, str]

    def markers(self) -> list[str]:
        ids = [str(self.world.tenant.id), *(str(case.id) for case in self.cases)]
        referrals = [self.csea_referral, *self.waiting.values()]
        return [*ids, *(ref.removeprefix("ref_") for ref in referrals)]


async def build_side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    cases = [
        await open_case(services, world.admin, CaseType.CSEA),
        await open_case(services, world.admin, CaseType.HARASSMENT),
    ]
    for case in cases:
        await preserve(services, world.admin, case)
    referral, _ = await create(services, world.admin, cases[0], summary=f"Side {world.tenant.id}")
    waiting = await waiting_referrals(factory, world)
    return Side(world, cases, f"ref_{referral.id}", waiting)


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
    tenant = side.world.tenant.id
    async with services.db.read() as session:
        rows = await session.scalars(select(Referral).where(Referral.tenant_id == tenant))
        referrals = sorted((str(r.id), r.status, r.reference_number) for r in rows)
    audit = [(entry.seq, entry.hash) for entry in await audit_entries(services, tenant)]
    return referrals, audit


def create_input(case: SafetyCase) -> dict[str, Any]:
    return {"caseId": gid("cas", case.id), "type": "NCA", "urgency": "URGENT", "summary": "P"}


def mutation_probes(victim: Side) -> list[tuple[str, dict[str, Any]]]:
    calls = [(CREATE, {"i": create_input(case)}) for case in victim.cases]
    for name, (_, extra) in STEPS.items():
        for referral_id in (victim.waiting[name], victim.csea_referral):
            calls.append((step_document(name), {"i": {"id": referral_id, **extra}}))
    return calls


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_every_referral_field_reads_the_victims_objects_as_missing(
    services: Services, factory: Factory, sides: tuple[Side, Side], credential: str
) -> None:
    victim, intruder = sides
    before = await records(services, victim)
    for document, variables in mutation_probes(victim):
        body = await call(factory, document, variables, intruder, credential)
        assert error_codes(body) == ["NOT_FOUND"], (document, variables, body)
        assert body["data"] is None
        assert not leaks(body, victim), body
    for referral_id in (victim.csea_referral, *victim.waiting.values()):
        for document, key in ((ONE, "referral"), (NODE, "node")):
            body = await call(factory, document, {"id": referral_id}, intruder, credential)
            assert error_codes(body) == [] and body["data"][key] is None, body
    listing = await call(factory, LIST, {}, intruder, credential)
    assert listing["data"]["referrals"]["totalCount"] == 1 + len(intruder.waiting)
    assert not leaks(listing, victim), listing
    assert await records(services, victim) == before


async def test_the_owner_finds_its_objects_with_the_same_documents(
    factory: Factory, sides: tuple[Side, Side]
) -> None:
    victim, _ = sides
    listing = await call(factory, LIST, {}, victim, "token")
    assert listing["data"]["referrals"]["totalCount"] == 1 + len(victim.waiting)
    one = await call(factory, ONE, {"id": victim.csea_referral}, victim, "api_key")
    assert one["data"]["referral"]["case"]["id"] == gid("cas", victim.cases[0].id)
    assert one["data"]["referral"]["exportDocument"]["referral"]["id"] == victim.csea_referral
    node = await call(factory, NODE, {"id": victim.csea_referral}, victim, "token")
    assert node["data"]["node"]["id"] == victim.csea_referral
    made = await call(factory, CREATE, {"i": create_input(victim.cases[1])}, victim, "token")
    assert made["data"]["createReferral"]["referral"]["id"].startswith("ref_"), made
    for name, (_, extra) in STEPS.items():
        variables = {"i": {"id": victim.waiting[name], **extra}}
        body = await call(factory, step_document(name), variables, victim, "token")
        assert error_codes(body) == [], (name, body)
        assert body["data"][name]["referral"]["id"] == victim.waiting[name]


@pytest.mark.parametrize("credential", CREDENTIALS)
async def test_the_rest_endpoints_find_nothing_of_the_victims(
    services: Services,
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
    referrals = [victim.csea_referral, *victim.waiting.values()]
    exports = [f"/api/v1/referrals/{ref}/export" for ref in referrals]
    exports += [f"/api/v1/referrals/{ref.removeprefix('ref_')}/export" for ref in referrals]
    for path in exports:
        response = await client.get(path, headers=headers)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
        assert not leaks(response.text, victim), response.text
    for case in victim.cases:
        body = {"type": "nca", "urgency": "urgent", "summary": "Probe"}
        path = f"/api/v1/cases/{gid('cas', case.id)}/referrals"
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 404, response.text
    listing = await client.get("/api/v1/referrals?limit=100", headers=headers)
    assert listing.status_code == 200 and not leaks(listing.text, victim), listing.text
    assert await records(services, victim) == before
    owner = {"Authorization": f"Bearer {victim.world.token}"}
    for path in exports:
        assert (await client.get(path, headers=owner)).status_code == 200, path
