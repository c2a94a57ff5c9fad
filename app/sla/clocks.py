"""A ticket's SLA clocks: started with the ticket, moved by its priority and status, stopped
while it waits on the requester or is finished, and met by the first public agent reply."""

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.models import utcnow
from app.sla.models import TicketSla
from app.sla.policy import WARN_SHARE, Policy, load_policy
from app.tickets.models import Ticket, TicketStatus

# The clocks stand still while the ticket waits on the requester or is finished.
STOPPED = {TicketStatus.WAITING, TicketStatus.RESOLVED, TicketStatus.CLOSED}


def schedule(sla: TicketSla, policy: Policy, priority: str) -> None:
    """Deadlines and warning times from the start, the targets and the time stood still."""
    targets, calendar = policy.for_priority(priority), policy.calendar
    start, shift = sla.started_at, sla.stopped_minutes
    sla.first_response_due_at = calendar.add(start, targets.first_response + shift)
    sla.first_response_warn_at = calendar.add(start, targets.first_response * WARN_SHARE + shift)
    sla.resolution_due_at = calendar.add(start, targets.resolution + shift)
    sla.resolution_warn_at = calendar.add(start, targets.resolution * WARN_SHARE + shift)


async def start_clocks(session: AsyncSession, tenant_id: uuid.UUID, tickets: list[Ticket]) -> None:
    """Clocks for new tickets of one tenant, from the moment each was made."""
    if not tickets:
        return
    policy = await load_policy(session, tenant_id)
    rows = []
    for ticket in tickets:
        sla = TicketSla(tenant_id=tenant_id, ticket_id=ticket.id, started_at=ticket.created_at)
        sla.stopped_minutes = 0.0
        schedule(sla, policy, ticket.priority)
        rows.append(sla)
    session.add_all(rows)


async def follow(session: AsyncSession, ticket: Ticket, now: datetime | None = None) -> None:
    """Bring the ticket's clocks in line with its priority and status, as changed just now."""
    sla = await session.get(TicketSla, ticket.id, with_for_update=True)
    if sla is None:
        return
    policy = await load_policy(session, ticket.tenant_id)
    now = now or utcnow()
    stopped = TicketStatus(ticket.status) in STOPPED
    if stopped and sla.stopped_at is None:
        sla.stopped_at = now
    elif not stopped and sla.stopped_at is not None:
        sla.stopped_minutes += policy.calendar.minutes_between(sla.stopped_at, now)
        sla.stopped_at = None
    schedule(sla, policy, ticket.priority)


async def first_response(session: AsyncSession, ticket_id: uuid.UUID, at: datetime) -> None:
    """The first public agent reply meets the first-response target; later ones change nothing."""
    await session.execute(
        update(TicketSla)
        .where(TicketSla.ticket_id == ticket_id, TicketSla.first_responded_at.is_(None))
        .values(first_responded_at=at)
    )
