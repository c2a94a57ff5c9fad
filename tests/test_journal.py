"""The journal's contract: one call records a change on the domain's timeline, in the event log
and in the audit chain, all in the caller's transaction; the event is announced only once that
transaction commits, and a rollback leaves none of the three behind."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.cases.events import case_event, topics
from app.cases.models import CaseTimelineEntry, SafetyCase
from app.cases.timeline import CaseNote
from app.events.models import Event, EventType
from app.events.service import Committed
from app.journal import service as journal
from app.journal.change import Change, Live, Subject
from app.kit.actors import Actor, ActorKind
from app.kit.errors import ValidationFailed
from app.kit.ids import to_global_id
from app.services import Services
from tests.audit.helpers import verify
from tests.cases.helpers import open_case
from tests.conftest import StatementCounter
from tests.factories import Factory


class Boom(Exception):
    """Something failing later in the caller's transaction."""


@dataclass
class Desk:
    case: SafetyCase
    actor: Actor
    heard: list[Committed]


@pytest.fixture
async def desk(services: Services, factory: Factory) -> AsyncIterator[Desk]:
    world = await factory.world()
    case = await open_case(services, world.admin)
    heard: list[Committed] = []

    async def listen(committed: list[Any]) -> None:
        heard.extend(item for item in committed if item.tenant_id == case.tenant_id)

    services.db.event_listeners.append(listen)
    try:
        yield Desk(case, Actor(ActorKind.USER, world.admin.id, world.admin.name), heard)
    finally:
        services.db.event_listeners.remove(listen)


def noted(desk: Desk, reason: str | None = "checked the reports", **overrides: Any) -> Change:
    case = desk.case
    details = {"ticket_id": "Ticket_example", "count": 2}
    fields: dict[str, Any] = {
        "action": "case.ticket_linked",
        "subjects": [Subject("SafetyCase", to_global_id("SafetyCase", case.id))],
        "details": details,
        "reason": reason,
        "timeline": [CaseNote(case, "ticket_linked")],
        "live": case_event(EventType.TICKET_LINKED, case, details),
        **overrides,
    }
    return Change(case.tenant_id, desk.actor, **fields)


async def recorded(services: Services, case: SafetyCase) -> dict[str, list[Any]]:
    async with services.db.read() as session:
        timeline = await session.scalars(
            select(CaseTimelineEntry)
            .where(CaseTimelineEntry.case_id == case.id)
            .order_by(CaseTimelineEntry.created_at, CaseTimelineEntry.id)
        )
        events = await session.scalars(
            select(Event).where(Event.tenant_id == case.tenant_id).order_by(Event.seq)
        )
        audit = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.tenant_id == case.tenant_id)
            .order_by(AuditEntry.seq)
        )
        return {"timeline": list(timeline), "events": list(events), "audit": list(audit)}


async def keys(services: Services, case: SafetyCase) -> dict[str, list[Any]]:
    """What is on record, comparable across sessions."""
    rows = await recorded(services, case)
    return {
        "timeline": [row.id for row in rows["timeline"]],
        "events": [row.seq for row in rows["events"]],
        "audit": [(row.seq, row.hash) for row in rows["audit"]],
    }


async def test_one_call_writes_the_timeline_the_event_and_the_audit_entry(
    services: Services, desk: Desk
) -> None:
    before = await recorded(services, desk.case)
    async with services.db.transaction() as work:
        await journal.record(work.session, noted(desk))
        # Written, but nobody hears of it before the commit.
        assert desk.heard == []
    after = await recorded(services, desk.case)

    (note,) = after["timeline"][len(before["timeline"]) :]
    assert (note.type, note.reason, note.actor_name) == (
        "ticket_linked",
        "checked the reports",
        desk.actor.name,
    )
    assert note.details == {"ticket_id": "Ticket_example", "count": 2}

    (event,) = after["events"][len(before["events"]) :]
    assert event.type == EventType.TICKET_LINKED
    assert event.topics == topics(desk.case)
    assert event.payload["changes"] == {"ticket_id": "Ticket_example", "count": 2}
    assert event.payload["case"]["id"] == str(desk.case.id)
    assert event.actor == {
        "kind": "user",
        "id": to_global_id("User", desk.actor.id) if desk.actor.id else None,
        "name": desk.actor.name,
    }
    assert event.internal is False
    assert desk.heard == [Committed(desk.case.tenant_id, event.seq)]

    (entry,) = after["audit"][len(before["audit"]) :]
    assert (entry.action, entry.subject_type, entry.subject_id, entry.reason) == (
        "case.ticket_linked",
        "SafetyCase",
        to_global_id("SafetyCase", desk.case.id),
        "checked the reports",
    )
    assert entry.details == {"ticket_id": "Ticket_example", "count": 2}
    assert (await verify(services, desk.case.tenant_id)).ok


async def test_a_rollback_leaves_none_of_them_and_announces_nothing(
    services: Services, desk: Desk
) -> None:
    before = await keys(services, desk.case)
    with pytest.raises(Boom):
        async with services.db.transaction() as work:
            await journal.record(work.session, noted(desk))
            raise Boom()
    assert await keys(services, desk.case) == before
    assert desk.heard == []
    report = await verify(services, desk.case.tenant_id)
    assert report.ok and report.checked_rows == len(before["audit"])

    # The numbers the rolled-back change took are free again: the next change gets them.
    async with services.db.transaction() as work:
        await journal.record(work.session, noted(desk))
    after = await keys(services, desk.case)
    assert after["events"] == [*before["events"], before["events"][-1] + 1]
    assert [seq for seq, _ in after["audit"]] == list(range(1, len(before["audit"]) + 2))
    assert (await verify(services, desk.case.tenant_id)).ok


async def test_a_bad_audit_entry_rolls_the_whole_change_back(
    services: Services, desk: Desk
) -> None:
    before = await keys(services, desk.case)
    with pytest.raises(ValidationFailed) as failed:
        async with services.db.transaction() as work:
            await journal.record(work.session, noted(desk, action="x" * 200))
    assert failed.value.code == "VALIDATION_ERROR"
    assert await keys(services, desk.case) == before
    assert desk.heard == []


async def test_several_subjects_are_one_append_to_the_chain(
    services: Services, desk: Desk, statements: StatementCounter
) -> None:
    async def cost(count: int) -> int:
        subjects = [Subject("EvidenceItem", f"EvidenceItem_{uuid.uuid4()}") for _ in range(count)]
        async with services.db.transaction() as work:
            start = statements.count
            await journal.record(work.session, noted(desk, subjects=subjects))
            await work.session.flush()
            return statements.count - start

    before = await recorded(services, desk.case)
    costs = [await cost(2), await cost(12)]
    after = await recorded(services, desk.case)

    assert costs[0] == costs[1]
    new = after["audit"][len(before["audit"]) :]
    assert len(new) == 14
    assert [a.seq for a in new] == list(range(len(before["audit"]) + 1, len(after["audit"]) + 1))
    # Every entry of one change shares its action, details and reason; each names its subject.
    assert {(a.action, a.reason) for a in new} == {("case.ticket_linked", "checked the reports")}
    assert len({a.subject_id for a in new}) == 14
    assert len(after["events"]) - len(before["events"]) == 2
    assert len(after["timeline"]) - len(before["timeline"]) == 2
    assert (await verify(services, desk.case.tenant_id)).ok


async def test_each_fan_out_is_optional(services: Services, desk: Desk) -> None:
    """A change with no subjects is not audited; one with no timeline or event writes neither;
    an event may name someone other than the change's actor."""
    hubs = Actor(ActorKind.SYSTEM)
    live = Live("access_changed", ["access"], {"reason": "test"}, internal=True, actor=hubs)
    before = await recorded(services, desk.case)
    async with services.db.transaction() as work:
        await journal.record(work.session, noted(desk, subjects=(), timeline=(), live=live))
        await journal.record(work.session, noted(desk, timeline=(), live=None))
    after = await recorded(services, desk.case)

    assert len(after["timeline"]) == len(before["timeline"])
    (event,) = after["events"][len(before["events"]) :]
    assert (event.type, event.topics, event.internal) == ("access_changed", ["access"], True)
    assert event.payload == {"reason": "test"}
    assert event.actor == {"kind": "system", "id": None, "name": None}
    (entry,) = after["audit"][len(before["audit"]) :]
    assert entry.action == "case.ticket_linked"
    assert desk.heard == [Committed(desk.case.tenant_id, event.seq)]
    async with services.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(Event).where(Event.tenant_id == desk.case.tenant_id)
        )
    assert count == len(after["events"])
