"""Cross-tenant probes for the audit chain: tenant B's admin (by token and by API key) reads
the audit log and verifies the chain, aiming filters at tenant A's subjects, and sees only B's
chain; no string of A's appears. A's admin running the same documents finds A's entries, so no
probe passes vacuously."""

import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from app.audit.service import record
from app.kit.actors import Actor, ActorKind
from app.services import Services
from tests.factories import Factory, World, error_codes

COVERS = {"Query.verifyAuditChain", "Query.auditLog"}
CREDENTIALS = ("token", "api_key")

LOG = """query($type: String, $subject: String) {
  auditLog(first: 100, subjectType: $type, subjectId: $subject) {
    totalCount edges { cursor node { seq actorId actorName subjectId details reason hash } }
  }
}"""
VERIFY = "query { verifyAuditChain { ok checkedRows headSeq headHash firstBrokenSeq message } }"


@dataclass
class Side:
    """A tenant whose chain holds three entries about one piece of evidence."""

    world: World
    subject: str
    word: str
    hashes: list[str]

    def markers(self) -> list[str]:
        ids = [str(self.world.tenant.id), str(self.world.admin.id)]
        return [self.subject, self.word, *ids, *self.hashes]


async def build_side(services: Services, factory: Factory) -> Side:
    world = await factory.world()
    word = f"zq{uuid.uuid4().hex[:12]}"
    subject = f"evi_{uuid.uuid4()}"
    actor = Actor(ActorKind.USER, world.admin.id, world.admin.name)
    hashes = []
    for number in range(3):
        async with services.db.transaction() as work:
            entry = await record(
                work.session,
                world.tenant.id,
                actor,
                "evidence.viewed",
                "Evidence",
                subject,
                {"note": f"{word} read {number}"},
                reason=f"Review of {word}",
            )
        hashes.append(entry.hash.hex())
    return Side(world, subject, word, hashes)


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


def leaks(body: dict[str, Any], victim: Side) -> list[str]:
    text = json.dumps(body)
    return [marker for marker in victim.markers() if marker in text]


def hashes(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["hash"] for edge in body["data"]["auditLog"]["edges"]]


@pytest.mark.parametrize("credential", CREDENTIALS)
class TestIntruder:
    async def test_audit_log_shows_only_the_callers_chain(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        body = await call(factory, LOG, {}, intruder, credential)
        assert error_codes(body) == [], body
        assert hashes(body) == intruder.hashes[::-1]
        assert not leaks(body, victim), body

    async def test_audit_log_filtered_on_the_victims_subject_is_empty(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        variables = {"type": "Evidence", "subject": victim.subject}
        body = await call(factory, LOG, variables, intruder, credential)
        assert error_codes(body) == [], body
        assert body["data"]["auditLog"] == {"totalCount": 0, "edges": []}
        owner = await call(factory, LOG, variables, victim, "token")
        assert hashes(owner) == victim.hashes[::-1]

    async def test_verify_reports_on_the_callers_chain(
        self, factory: Factory, sides: tuple[Side, Side], credential: str
    ) -> None:
        victim, intruder = sides
        body = await call(factory, VERIFY, {}, intruder, credential)
        assert error_codes(body) == [], body
        report = body["data"]["verifyAuditChain"]
        assert (report["ok"], report["checkedRows"], report["headSeq"]) == (True, 3, 3)
        assert report["headHash"] == intruder.hashes[-1]
        assert not leaks(body, victim), body
        # The victim's chain is untouched by the intruder's calls.
        owner = (await call(factory, VERIFY, {}, victim, "token"))["data"]["verifyAuditChain"]
        assert (owner["ok"], owner["headHash"]) == (True, victim.hashes[-1])


@pytest.mark.parametrize("document", [LOG, VERIFY])
async def test_owner_control_finds_its_own_chain(
    factory: Factory, sides: tuple[Side, Side], document: str
) -> None:
    victim, _ = sides
    body = await call(factory, document, {}, victim, "token")
    assert error_codes(body) == [], body
    assert victim.hashes[-1] in json.dumps(body)
