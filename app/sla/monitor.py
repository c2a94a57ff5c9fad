"""The scheduled sweep: tickets whose SLA warning or breach time has come get one
`sla_warning` or `sla_breached` event per target, and their people a notification.

Each stage is claimed by setting its marker column in the statement that finds it
(`... IS NULL` re-checked under the row lock), so two sweeps running at once, on two workers,
announce every warning and breach exactly once between them."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pgqueuer import PgQueuer
from pgqueuer.models import Schedule
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import KeyedColumnElement

from app.events import service as events
from app.events.models import EventType
from app.kit.actors import SYSTEM
from app.kit.models import utcnow
from app.notifications.models import NotificationKind
from app.notifications.triggers import sla_alarm
from app.services import Services
from app.sla.models import TicketSla
from app.tickets.models import Ticket

SWEEP_JOB = "sla_sweep"
BATCH = 200


@dataclass(frozen=True)
class Stage:
    target: str  # first_response or resolution
    event: EventType
    kind: NotificationKind

    @property
    def when(self) -> KeyedColumnElement[Any]:
        suffix = "warn_at" if self.event == EventType.SLA_WARNING else "due_at"
        return TicketSla.__table__.c[f"{self.target}_{suffix}"]

    @property
    def marker(self) -> KeyedColumnElement[Any]:
        suffix = "warned_at" if self.event == EventType.SLA_WARNING else "breached_at"
        return TicketSla.__table__.c[f"{self.target}_{suffix}"]

    @property
    def due(self) -> KeyedColumnElement[Any]:
        return TicketSla.__table__.c[f"{self.target}_due_at"]


STAGES = [
    Stage(target, event, kind)
    for target in ("first_response", "resolution")
    for event, kind in (
        (EventType.SLA_WARNING, NotificationKind.SLA_WARNING),
        (EventType.SLA_BREACHED, NotificationKind.SLA_BREACHED),
    )
]


async def _claim(
    session: AsyncSession, stage: Stage, now: datetime
) -> list[tuple[uuid.UUID, datetime]]:
    """Mark up to BATCH tickets whose `stage` has come and was not announced; (ticket, due)."""
    due_now = select(TicketSla.ticket_id).where(
        stage.when <= now, stage.marker.is_(None), TicketSla.stopped_at.is_(None)
    )
    if stage.target == "first_response":
        due_now = due_now.where(TicketSla.first_responded_at.is_(None))
    picked = due_now.limit(BATCH).with_for_update(skip_locked=True)
    claimed = await session.execute(
        update(TicketSla)
        .where(TicketSla.ticket_id.in_(picked.scalar_subquery()), stage.marker.is_(None))
        .values({stage.marker: now})
        .returning(TicketSla.ticket_id, stage.due)
    )
    return [(row[0], row[1]) for row in claimed]


async def _announce(
    session: AsyncSession, stage: Stage, claimed: list[tuple[uuid.UUID, datetime]]
) -> None:
    due_by_ticket = dict(claimed)
    tickets = await session.scalars(select(Ticket).where(Ticket.id.in_(due_by_ticket)))
    for ticket in tickets:
        due = due_by_ticket[ticket.id]
        details = {"sla": {"target": stage.target, "due_at": due.isoformat()}}
        await events.ticket_event(session, stage.event, ticket, SYSTEM, changes=details)
        await sla_alarm(session, ticket, stage.kind, stage.target, due)


async def sweep(services: Services, now: datetime | None = None) -> int:
    """Announce every warning and breach that has come; how many this run announced."""
    now = now or utcnow()
    announced = 0
    for stage in STAGES:
        while True:
            async with services.db.transaction() as work:
                claimed = await _claim(work.session, stage, now)
                await _announce(work.session, stage, claimed)
            announced += len(claimed)
            if len(claimed) < BATCH:
                break
    return announced


def register_sla(queue: PgQueuer, services: Services) -> None:
    @queue.schedule(SWEEP_JOB, "* * * * *")
    async def sla_sweep(schedule: Schedule) -> None:
        await sweep(services)
