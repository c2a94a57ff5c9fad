"""The database refuses to rewrite the audit log, and verification finds whoever did anyway.

An attacker with database access can switch the refusal off (`DISABLE TRIGGER USER`) and
edit rows directly; the tests below do exactly that, as the database superuser, and expect
verification to name the entry that was touched."""

import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.audit.hashing import entry_hash
from app.audit.service import Problem, record
from app.kit.actors import SYSTEM, Actor, ActorKind
from app.services import Services
from tests.audit.helpers import entries, verify
from tests.factories import Factory

# One way to change each column so the value really differs and still fits its constraints.
CHANGES = {
    "occurred_at": "occurred_at + interval '1 microsecond'",
    "actor_kind": "CASE actor_kind WHEN 'system' THEN 'user' ELSE 'system' END",
    "actor_id": "CASE WHEN actor_id IS NULL THEN gen_random_uuid() END",
    "actor_name": "COALESCE(actor_name, '') || 'x'",
    "action": "action || 'x'",
    "subject_type": "subject_type || 'x'",
    "subject_id": "CASE WHEN subject_id IS NULL THEN 'x' END",
    "details": """details || '{"tampered": true}'::jsonb""",
    "ip": "CASE ip WHEN '198.51.100.1' THEN '198.51.100.2' ELSE '198.51.100.1' END",
    "reason": "CASE WHEN reason IS NULL THEN 'x' END",
    "prev_hash": "set_byte(prev_hash, 0, get_byte(prev_hash, 0) # 1)",
    "hash": "set_byte(hash, 31, get_byte(hash, 31) # 128)",
    "seq": "seq + 1000",
    "tenant_id": ":elsewhere",
}
SWAPPED = [column for column in CHANGES if column not in ("seq", "tenant_id")]


async def build_chain(services: Services, tenant_id: uuid.UUID, count: int) -> None:
    """`count` entries with every optional column both filled and empty along the chain."""
    async with services.db.transaction() as work:
        for number in range(count):
            person = Actor(ActorKind.USER, uuid.uuid4(), f"Agent {number}")
            await record(
                work.session,
                tenant_id,
                person if number % 2 else SYSTEM,
                "evidence.viewed",
                "Evidence",
                None if number % 3 == 0 else f"evi_{number}",
                {"number": number, "nested": {"b": [1, "two"], "a": None}},
                ip=None if number % 4 == 0 else "203.0.113.9",
                reason=None if number % 2 else f"Review «{number}»",
            )


async def as_attacker(services: Services, sql: str, **params: object) -> None:
    """Run `sql` with the append-only triggers off, and switch them back on."""
    async with services.db.transaction() as work:
        await work.session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        await work.session.execute(text(sql), params)
        await work.session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))


@dataclass(frozen=True)
class Tampering:
    """One edit an attacker makes to a chain of `length` entries, and where it shows."""

    length: int
    kind: str
    seq: int
    column: str = ""
    other: int = 0

    def expected(self) -> tuple[int, Problem]:
        if self.kind == "swap" or self.column in SWAPPED:
            return self.seq, Problem.CONTENT_CHANGED
        if self.column == "seq" or self.seq < self.length:
            return self.seq, Problem.ROW_MISSING
        # The last entry gone (deleted or moved away): only the head still knows of it.
        return self.seq, Problem.HEAD_MISMATCH

    async def apply(self, services: Services, factory: Factory, tenant_id: uuid.UUID) -> None:
        where = "WHERE tenant_id = :t AND seq = :seq"
        if self.kind == "delete":
            await as_attacker(services, f"DELETE FROM audit_log {where}", t=tenant_id, seq=self.seq)
        elif self.kind == "swap":
            columns = ", ".join(f"{column} = b.{column}" for column in SWAPPED)
            await as_attacker(
                services,
                f"UPDATE audit_log AS a SET {columns} FROM audit_log AS b "
                "WHERE a.tenant_id = :t AND b.tenant_id = :t "
                "AND ((a.seq = :i AND b.seq = :j) OR (a.seq = :j AND b.seq = :i))",
                t=tenant_id,
                i=self.seq,
                j=self.other,
            )
        else:
            extra = {"elsewhere": (await factory.tenant()).id} if self.column == "tenant_id" else {}
            sql = f"UPDATE audit_log SET {self.column} = {CHANGES[self.column]} {where}"
            await as_attacker(services, sql, t=tenant_id, seq=self.seq, **extra)


@st.composite
def tamperings(draw: st.DrawFn) -> Tampering:
    length = draw(st.integers(min_value=3, max_value=12))
    seq = draw(st.integers(min_value=1, max_value=length))
    kind = draw(st.sampled_from(["change", "delete", "swap"]))
    if kind == "change":
        return Tampering(length, kind, seq, column=draw(st.sampled_from(list(CHANGES))))
    if kind == "swap":
        other = draw(st.integers(min_value=1, max_value=length - 1))
        other += other >= seq
        return Tampering(length, kind, min(seq, other), other=max(seq, other))
    return Tampering(length, kind, seq)


class TestTampering:
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(tampering=tamperings())
    async def test_verification_names_the_entry_that_was_tampered_with(
        self, services: Services, factory: Factory, tampering: Tampering
    ) -> None:
        tenant = await factory.tenant()
        await build_chain(services, tenant.id, tampering.length)
        assert (await verify(services, tenant.id)).ok
        await tampering.apply(services, factory, tenant.id)
        report = await verify(services, tenant.id)
        assert not report.ok
        assert (report.first_broken_seq, report.problem) == tampering.expected(), report
        assert report.checked_rows == tampering.expected()[0] - 1

    @pytest.mark.parametrize("column", list(CHANGES))
    @pytest.mark.parametrize("seq", [2, 5])
    async def test_a_change_to_any_column_is_found(
        self, services: Services, factory: Factory, column: str, seq: int
    ) -> None:
        """Every column, in the middle of the chain and at its end (entry 5 of 5)."""
        tampering = Tampering(5, "change", seq, column=column)
        tenant = await factory.tenant()
        await build_chain(services, tenant.id, tampering.length)
        await tampering.apply(services, factory, tenant.id)
        report = await verify(services, tenant.id)
        assert (report.first_broken_seq, report.problem) == tampering.expected(), report

    async def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        await build_chain(services, tenant.id, 4)
        second = (await entries(services, tenant.id))[1]
        second.reason = "nothing to see"
        forged = entry_hash(second)
        await as_attacker(
            services,
            "UPDATE audit_log SET reason = :reason, hash = :hash WHERE tenant_id = :t AND seq = 2",
            reason="nothing to see",
            hash=forged,
            t=tenant.id,
        )
        report = await verify(services, tenant.id)
        assert (report.first_broken_seq, report.problem) == (3, Problem.LINK_BROKEN)

    async def test_an_entry_appended_behind_the_heads_back_is_a_head_mismatch(
        self, services: Services, factory: Factory
    ) -> None:
        tenant = await factory.tenant()
        await build_chain(services, tenant.id, 3)
        await as_attacker(
            services,
            "UPDATE audit_heads SET seq = 2, hash = (SELECT hash FROM audit_log "
            "WHERE tenant_id = :t AND seq = 2) WHERE tenant_id = :t",
            t=tenant.id,
        )
        report = await verify(services, tenant.id)
        assert (report.first_broken_seq, report.problem) == (3, Problem.HEAD_MISMATCH)
        assert report.checked_rows == 3


class TestTriggers:
    @pytest.mark.parametrize(
        ("sql", "refusal"),
        [
            ("UPDATE audit_log SET reason = 'rewritten' WHERE tenant_id = :t", "UPDATE refused"),
            ("UPDATE audit_log SET seq = seq + 100 WHERE tenant_id = :t", "UPDATE refused"),
            ("DELETE FROM audit_log WHERE tenant_id = :t AND seq = 2", "DELETE refused"),
            ("TRUNCATE audit_log", "TRUNCATE refused"),
            ("TRUNCATE audit_log CASCADE", "TRUNCATE refused"),
            # No cascade from tenants: removing the tenant would remove its history.
            ("DELETE FROM tenants WHERE id = :t", "fk_audit_log_tenant_id_tenants"),
        ],
    )
    async def test_sql_that_rewrites_the_log_is_refused(
        self, services: Services, factory: Factory, sql: str, refusal: str
    ) -> None:
        tenant = await factory.tenant()
        await build_chain(services, tenant.id, 3)
        before = [(row.seq, row.hash, row.reason) for row in await entries(services, tenant.id)]
        with pytest.raises(DBAPIError, match=refusal):
            async with services.db.transaction() as work:
                await work.session.execute(text(sql), {"t": tenant.id})
        after = [(row.seq, row.hash, row.reason) for row in await entries(services, tenant.id)]
        assert after == before
        assert (await verify(services, tenant.id)).ok
