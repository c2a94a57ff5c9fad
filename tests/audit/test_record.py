"""Appending to the audit chain: numbering, linking and what is stored."""

import asyncio
import uuid
from typing import Any

import pytest

from app.audit.hashing import GENESIS, entry_hash
from app.audit.service import record, verify_chain
from app.auth.models import Role
from app.kit.actors import SYSTEM, Actor, ActorKind
from app.kit.errors import ValidationFailed
from app.services import Services
from tests.audit.helpers import entries, fill, verify
from tests.factories import Factory


class TestRecord:
    async def test_entries_are_numbered_from_one_and_linked(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        await fill(services, tenant.id, 3)
        rows = await entries(services, tenant.id)
        assert [row.seq for row in rows] == [1, 2, 3]
        assert rows[0].prev_hash == GENESIS
        assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:-1]]
        assert all(entry_hash(row) == row.hash and len(row.hash) == 32 for row in rows)

    async def test_what_the_caller_passed_is_stored(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        user = await factory.user(tenant, Role.ADMIN)
        actor = Actor(ActorKind.USER, user.id, user.name)
        async with services.db.transaction() as work:
            made = await record(
                work.session,
                tenant.id,
                actor,
                "case.status_changed",
                "SafetyCase",
                "cas_1",
                {"from": "open", "to": "escalated", "evidence": ["a", 2, True, None]},
                ip=" 2001:DB8::1 ",
                reason="Confirmed — escalating",
            )
        (row,) = await entries(services, tenant.id)
        assert (row.seq, row.hash, row.occurred_at) == (made.seq, made.hash, made.occurred_at)
        assert (row.actor_kind, row.actor_id, row.actor_name) == ("user", user.id, user.name)
        assert (row.action, row.subject_type, row.subject_id) == (
            "case.status_changed",
            "SafetyCase",
            "cas_1",
        )
        assert row.details == {"from": "open", "to": "escalated", "evidence": ["a", 2, True, None]}
        assert (row.ip, row.reason) == ("2001:db8::1", "Confirmed — escalating")

    async def test_a_rolled_back_entry_leaves_no_gap(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        await fill(services, tenant.id, 1)
        with pytest.raises(RuntimeError):
            async with services.db.transaction() as work:
                await record(work.session, tenant.id, SYSTEM, "probe", "Ticket", None)
                raise RuntimeError("the caller's work failed")
        await fill(services, tenant.id, 1)
        assert [row.seq for row in await entries(services, tenant.id)] == [1, 2]
        assert (await verify(services, tenant.id)).ok

    async def test_concurrent_writers_make_one_gapless_chain(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()

        async def write(number: int) -> None:
            async with services.db.transaction() as work:
                await record(
                    work.session, tenant.id, SYSTEM, "evidence.viewed", "Evidence", str(number)
                )
                # Hold the head a moment, so the other writers queue behind the lock.
                await asyncio.sleep(0.01)

        await asyncio.gather(*(write(number) for number in range(20)))
        rows = await entries(services, tenant.id)
        assert [row.seq for row in rows] == list(range(1, 21))
        assert sorted(int(row.subject_id or "") for row in rows) == list(range(20))
        report = await verify(services, tenant.id)
        assert (report.ok, report.checked_rows, report.head_seq) == (True, 20, 20)
        assert report.head_hash == rows[-1].hash

    async def test_a_transaction_sees_its_own_entries_verify(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        await fill(services, tenant.id, 1)
        async with services.db.transaction() as work:
            for subject in ("a", "b"):
                await record(work.session, tenant.id, SYSTEM, "probe", "Ticket", subject)
            report = await verify_chain(work.session, tenant.id)
            assert (report.ok, report.checked_rows, report.head_seq) == (True, 3, 3)

    async def test_chains_of_two_tenants_are_separate(
        self, services: Services, factory: Factory
    ) -> None:
        first, second = await factory.tenant(), await factory.tenant()
        await fill(services, first.id, 2)
        await fill(services, second.id, 3)
        assert [row.seq for row in await entries(services, first.id)] == [1, 2]
        assert (await verify(services, second.id)).checked_rows == 3

    @pytest.mark.parametrize(
        ("details", "ip"),
        [
            ({"score": 0.5}, None),
            ({"text": "nul \x00 byte"}, None),
            ({1: "key"}, None),
            ({"pair": (1, 2)}, None),
            (None, "not-an-address"),
        ],
    )
    async def test_unstorable_input_is_refused_and_nothing_is_written(
        self, services: Services, factory: Factory, details: Any, ip: str | None
    ) -> None:
        tenant = await factory.tenant()
        with pytest.raises(ValidationFailed):
            async with services.db.transaction() as work:
                await record(
                    work.session, tenant.id, SYSTEM, "probe", "Ticket", None, details, ip=ip
                )
        assert await entries(services, tenant.id) == []


async def test_an_empty_chain_verifies(services: Services) -> None:
    async with services.db.read() as session:
        report = await verify_chain(session, uuid.uuid4())
    assert (report.ok, report.checked_rows, report.head_seq, report.head_hash) == (
        True,
        0,
        0,
        GENESIS,
    )
