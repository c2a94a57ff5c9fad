"""`auditLog` and `verifyAuditChain` as an administrator's client sees them."""

import asyncio
import json

import pytest
from sqlalchemy import text

from app.audit.service import record
from app.auth.models import Role
from app.kit.actors import SYSTEM, Actor, ActorKind
from app.kit.pagination import encode_cursor
from app.services import Services
from tests.audit.helpers import entries, fill
from tests.factories import Factory, World, error_codes, gid

LOG = """query($first: Int, $after: String, $type: String, $subject: String) {
  auditLog(first: $first, after: $after, subjectType: $type, subjectId: $subject) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { seq occurredAt actorKind actorId actorName action subjectType subjectId
      details ip reason prevHash hash } }
  }
}"""
VERIFY = """query { verifyAuditChain {
  ok checkedRows headSeq headHash firstBrokenSeq problem message
} }"""


def seqs(body: dict) -> list[int]:
    return [edge["node"]["seq"] for edge in body["data"]["auditLog"]["edges"]]


class TestAuditLog:
    async def test_entries_come_newest_first_with_their_hashes(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        async with services.db.transaction() as work:
            await record(
                work.session,
                world.tenant.id,
                Actor(ActorKind.USER, world.admin.id, world.admin.name),
                "case.status_changed",
                "SafetyCase",
                "cas_1",
                {"from": "open", "to": "escalated"},
                ip="198.51.100.4",
                reason="Confirmed material",
            )
        await fill(services, world.tenant.id, 2)
        body = await factory.gql(LOG, {}, token=world.token)
        assert error_codes(body) == [], body
        assert seqs(body) == [3, 2, 1]
        rows = await entries(services, world.tenant.id)
        first = body["data"]["auditLog"]["edges"][-1]["node"]
        assert first == {
            "seq": 1,
            "occurredAt": rows[0].occurred_at.isoformat(),
            "actorKind": "USER",
            "actorId": gid("usr", world.admin.id),
            "actorName": world.admin.name,
            "action": "case.status_changed",
            "subjectType": "SafetyCase",
            "subjectId": "cas_1",
            "details": {"from": "open", "to": "escalated"},
            "ip": "198.51.100.4",
            "reason": "Confirmed material",
            "prevHash": "0" * 64,
            "hash": rows[0].hash.hex(),
        }
        second = body["data"]["auditLog"]["edges"][-2]["node"]
        assert second["prevHash"] == first["hash"] and second["actorId"] is None

    async def test_pages_follow_on_without_overlap(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        await fill(services, world.tenant.id, 5)
        seen, after = [], None
        while True:
            body = await factory.gql(LOG, {"first": 2, "after": after}, token=world.token)
            assert error_codes(body) == [], body
            seen += seqs(body)
            page = body["data"]["auditLog"]["pageInfo"]
            if not page["hasNextPage"]:
                break
            after = page["endCursor"]
        assert seen == [5, 4, 3, 2, 1]
        assert body["data"]["auditLog"]["totalCount"] == 5

    async def test_filters_pick_one_kind_of_subject_or_one_subject(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        for subject_type, subject_id in [("Evidence", "a"), ("Referral", "a"), ("Evidence", "b")]:
            async with services.db.transaction() as work:
                await record(work.session, world.tenant.id, SYSTEM, "x", subject_type, subject_id)
        by_type = await factory.gql(LOG, {"type": "Evidence"}, token=world.token)
        assert seqs(by_type) == [3, 1]
        one = await factory.gql(LOG, {"type": "Evidence", "subject": "a"}, token=world.token)
        assert seqs(one) == [1] and one["data"]["auditLog"]["totalCount"] == 1

    @pytest.mark.parametrize(
        "variables",
        [
            {"after": "not a cursor"},
            {"after": encode_cursor(["x"])},
            {"after": encode_cursor([10**30])},
            {"after": encode_cursor([True])},
            {"first": 0},
            {"first": 101},
            {"subject": "evi\u0000"},
        ],
    )
    async def test_bad_arguments_are_a_validation_error(
        self, factory: Factory, variables: dict
    ) -> None:
        world = await factory.world()
        body = await factory.gql(LOG, variables, token=world.token)
        assert error_codes(body) == ["VALIDATION_ERROR"], body

    async def test_a_filter_that_is_not_text_is_a_validation_error(self, factory: Factory) -> None:
        """A lone surrogate escape is valid JSON but no string PostgreSQL can compare."""
        world = await factory.world()
        payload = json.dumps({"query": LOG, "variables": {"type": "\ud800"}})
        response = await factory.client.post(
            "/graphql",
            content=payload,
            headers={"Authorization": f"Bearer {world.token}", "Content-Type": "application/json"},
        )
        assert error_codes(response.json()) == ["VALIDATION_ERROR"], response.text


class TestVerifyAuditChain:
    async def test_a_tenant_without_entries_has_an_intact_empty_chain(
        self, factory: Factory
    ) -> None:
        world = await factory.world()
        body = await factory.gql(VERIFY, {}, token=world.token)
        assert body["data"]["verifyAuditChain"] == {
            "ok": True,
            "checkedRows": 0,
            "headSeq": 0,
            "headHash": "0" * 64,
            "firstBrokenSeq": None,
            "problem": None,
            "message": None,
        }

    async def test_a_long_chain_verifies_across_pages(
        self, services: Services, factory: Factory
    ) -> None:
        """More entries than one page of the walk (1,000), in several transactions."""
        world = await factory.world()
        for _ in range(5):
            async with services.db.transaction() as work:
                for number in range(250):
                    await record(
                        work.session, world.tenant.id, SYSTEM, "read", "Evidence", str(number)
                    )
        body = await factory.gql(VERIFY, {}, token=world.token)
        report = body["data"]["verifyAuditChain"]
        assert (report["ok"], report["checkedRows"], report["headSeq"]) == (True, 1250, 1250)
        last = await factory.gql(LOG, {"first": 1}, token=world.token)
        assert report["headHash"] == last["data"]["auditLog"]["edges"][0]["node"]["hash"]

    async def test_verifying_while_others_write_never_reports_a_false_break(
        self, services: Services, factory: Factory
    ) -> None:
        """Entries committed during the walk are outside its snapshot, head included."""
        world = await factory.world()
        await fill(services, world.tenant.id, 3)

        async def write(number: int) -> None:
            async with services.db.transaction() as work:
                await record(work.session, world.tenant.id, SYSTEM, "read", "Evidence", str(number))

        async def check() -> dict:
            body = await factory.gql(VERIFY, {}, token=world.token)
            return dict(body["data"]["verifyAuditChain"])

        results = await asyncio.gather(*(write(n) for n in range(20)), *(check() for _ in range(8)))
        reports = [result for result in results if result is not None]
        assert len(reports) == 8 and all(report["ok"] for report in reports), reports
        assert (await check())["headSeq"] == 23

    async def test_a_rewritten_entry_is_reported(
        self, services: Services, factory: Factory
    ) -> None:
        world = await factory.world()
        await fill(services, world.tenant.id, 4)
        async with services.db.transaction() as work:
            await work.session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            await work.session.execute(
                text("UPDATE audit_log SET reason = 'edited' WHERE tenant_id = :t AND seq = 3"),
                {"t": world.tenant.id},
            )
            await work.session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
        report = (await factory.gql(VERIFY, {}, token=world.token))["data"]["verifyAuditChain"]
        assert report["ok"] is False
        assert (report["firstBrokenSeq"], report["problem"]) == (3, "CONTENT_CHANGED")
        assert report["checkedRows"] == 2 and report["headSeq"] == 4
        assert report["message"] == "Entry 3 does not match its stored hash"


@pytest.mark.parametrize("role", [Role.AGENT, Role.VIEWER, Role.SAFEGUARDING_LEAD])
@pytest.mark.parametrize("credential", ["token", "api_key"])
@pytest.mark.parametrize(("document", "field"), [(LOG, "auditLog"), (VERIFY, "verifyAuditChain")])
async def test_only_administrators_may_read_the_audit_chain(
    services: Services, factory: Factory, role: Role, credential: str, document: str, field: str
) -> None:
    world: World = await factory.world()
    await fill(services, world.tenant.id, 1)
    if credential == "token":
        body = await factory.gql(
            document, {}, token=await factory.token(await factory.user(world.tenant, role))
        )
    else:
        body = await factory.gql(document, {}, api_key=await factory.api_key(world.tenant, role))
    assert error_codes(body) == ["FORBIDDEN"], body
    assert (body["data"] or {}).get(field) is None
    assert error_codes(await factory.gql(document, {}, token=world.token)) == []
