"""Running triage as the worker does, and reading what it left on a ticket."""

import json
import uuid
from typing import Any

from sqlalchemy import select, text

from app.ai.models import AICall, AISettings
from app.ai.triage import run_triage_job
from app.events.models import Event
from app.services import Services
from app.tickets.models import Ticket, TimelineEntry
from app.tickets.service import TRIAGE_JOB


async def queued_triage(services: Services, ticket_id: uuid.UUID) -> dict[str, Any] | None:
    """The payload of the ticket's queued triage job, if there is one."""
    async with services.db.read() as session:
        rows = await session.execute(
            text(
                "SELECT payload FROM pgqueuer WHERE entrypoint = :entrypoint "
                "AND status = 'queued' AND convert_from(payload, 'UTF8')::jsonb->>'ticket_id' = :id"
            ),
            {"entrypoint": TRIAGE_JOB, "id": str(ticket_id)},
        )
        found = rows.scalar()
    return json.loads(found) if found is not None else None


async def triaged(services: Services, ticket_id: uuid.UUID) -> Ticket:
    """Run the ticket's queued triage job through the job's own code; the ticket after it."""
    payload = await queued_triage(services, ticket_id)
    assert payload is not None, "the ticket has no triage job queued"
    await run_triage_job(services, payload)
    return await reloaded(services, ticket_id)


async def reloaded(services: Services, ticket_id: uuid.UUID) -> Ticket:
    async with services.db.read() as session:
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


async def timeline_kinds(services: Services, ticket_id: uuid.UUID) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(TimelineEntry.kind)
            .where(TimelineEntry.ticket_id == ticket_id)
            .order_by(TimelineEntry.created_at)
        )
    return list(rows)


async def event_types(services: Services, tenant_id: uuid.UUID) -> list[str]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Event.type).where(Event.tenant_id == tenant_id).order_by(Event.seq)
        )
    return list(rows)


async def ai_calls(services: Services, tenant_id: uuid.UUID) -> list[AICall]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(AICall).where(AICall.tenant_id == tenant_id).order_by(AICall.created_at)
        )
    return list(rows)


async def configure(services: Services, tenant_id: uuid.UUID, **values: Any) -> None:
    async with services.db.transaction() as work:
        row = await work.session.get(AISettings, tenant_id)
        if row is None:
            row = AISettings(tenant_id=tenant_id, draft_tone="professional")
            work.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
