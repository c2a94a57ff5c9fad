"""Triage of every new ticket, as a job queued in the transaction that created it.

The local provider always reads the ticket first: it is instant, offline, and its risk
indicators decide whether the text is CSEA-flagged (then it never leaves Haven unless the
tenant allowed it). An external provider, when configured, then makes the suggestions; risk
indicators are the union of both, since a missed safeguarding signal costs far more than a
false one.

Applying: the suggestions are always stored (`ai_classification`, `ai_confidence`) and shown.
A field the creator left empty (priority, category) is filled only when the confidence reaches
the tenant's threshold and nobody has set it since. A CSEA-concern or self-harm indicator flags
the ticket for a safeguarding lead and raises a priority nobody chose, whatever the confidence;
a person's choice of priority is never overwritten, the flag is what brings a lead to it."""

import logging
import uuid
from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from pgqueuer import PgQueuer
from pgqueuer.models import Job
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.assistant import STAYS_LOCAL, Assistant, Call
from app.ai.contract import AIProvider, Purpose, Risk, TicketText, Triage, TriageRequest
from app.ai.duplicates import likely_duplicates
from app.ai.models import AISettings
from app.ai.tenant_settings import categories_of, settings_of
from app.events import service as events
from app.events.models import EventType
from app.jobs.queue import enqueue, payload_of
from app.kit.actors import SYSTEM, ActorKind
from app.services import Services
from app.tickets.models import Priority, Ticket, TimelineEntry, TriageStatus
from app.tickets.service import TRIAGE_JOB, record

logger = logging.getLogger("haven.ai")

# After a failure on Haven's side (the database, a bug): tried again after these pauses, then
# recorded as failed. A provider's failure is not one: the local provider answers instead.
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=5), timedelta(minutes=30))
RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2, Priority.CRITICAL: 3}
# The priority a safeguarding indicator raises an unchosen priority to, at least.
RAISED = {Risk.CSEA_CONCERN: Priority.CRITICAL, Risk.SELF_HARM: Priority.HIGH}


async def triage_ticket(services: Services, ticket_id: uuid.UUID, fill: list[str]) -> None:
    async with services.db.read() as session:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is None or ticket.triage_status != TriageStatus.PENDING:
            return
        settings = await settings_of(session, ticket.tenant_id)
        request = TriageRequest(
            TicketText(ticket.title, ticket.description or "", ticket.source),
            categories_of(settings),
        )
    call = Call(ticket.tenant_id, Purpose.TRIAGE, ticket.id, requested=False)
    found, fallback = await suggest(
        services.ai,
        call,
        request,
        flagged=ticket.category == Risk.CSEA_CONCERN,
        external_csea=settings.external_csea,
    )
    async with services.db.transaction() as work:
        await apply(work.session, ticket_id, found, fill, settings.apply_threshold, fallback)


async def suggest(
    assistant: Assistant,
    call: Call,
    request: TriageRequest,
    *,
    flagged: bool = False,
    external_csea: bool = False,
) -> tuple[Triage, str | None]:
    """Triage by the local provider, then by the external one when it may see the text
    (neither `flagged` as CSEA already nor found so, unless the tenant allowed it); with why
    the external provider did not answer, when it did not."""

    def ask(provider: AIProvider) -> Awaitable[Triage]:
        return provider.triage(request)

    if assistant.external is None:
        return await assistant.run(call, ask)
    # The local read screens the text before it may leave Haven (recorded, never counted).
    local = await assistant.locally(call, ask)
    if (flagged or Risk.CSEA_CONCERN in local.risks) and not external_csea:
        if not call.requested:
            return local, STAYS_LOCAL
        return await assistant.run(call, ask, keep_local=STAYS_LOCAL)
    found, fallback = await assistant.run(call, ask)
    risks = tuple(dict.fromkeys((*found.risks, *local.risks)))
    return replace(found, risks=risks), fallback


async def screened_local(
    assistant: Assistant, call: Call, ticket: TicketText, settings: AISettings
) -> str | None:
    """Why `ticket`'s text must stay with the local provider (its local triage finds a CSEA
    concern and the tenant has not allowed such text out), or None."""
    if assistant.external is None or settings.external_csea:
        return None
    request = TriageRequest(ticket, categories_of(settings))
    local = await assistant.locally(
        replace(call, purpose=Purpose.TRIAGE), lambda provider: provider.triage(request)
    )
    return STAYS_LOCAL if Risk.CSEA_CONCERN in local.risks else None


def classification(found: Triage, fallback: str | None) -> dict[str, Any]:
    """What the ticket shows of its triage (`ai_classification`)."""
    shown: dict[str, Any] = {
        "category": found.category,
        "confidence": found.confidence,
        "model": found.made.model,
        "provider": found.made.provider,
        "risk_indicators": [risk.value for risk in found.risks],
        "priority": found.priority,
        "sentiment": found.sentiment.value,
        "summary": found.summary,
        "suggested_reply": found.suggested_reply,
    }
    if fallback:
        shown["fallback_reason"] = fallback
    return shown


async def _chosen_since(session: AsyncSession, ticket: Ticket) -> set[str]:
    """Fields a person or API key changed after the ticket was created."""
    rows = await session.scalars(
        select(TimelineEntry.changes).where(
            TimelineEntry.tenant_id == ticket.tenant_id,
            TimelineEntry.ticket_id == ticket.id,
            TimelineEntry.kind == "updated",
            TimelineEntry.actor_kind != ActorKind.SYSTEM,
        )
    )
    return {key for changes in rows for key in changes}


async def apply(
    session: AsyncSession,
    ticket_id: uuid.UUID,
    found: Triage,
    fill: list[str],
    threshold: float,
    fallback: str | None = None,
) -> None:
    ticket = await session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or ticket.triage_status != TriageStatus.PENDING:
        return
    open_fields = set(fill) - await _chosen_since(session, ticket)
    confident = found.confidence >= threshold
    changes: dict[str, Any] = {}
    if "category" in open_fields and ticket.category is None and confident:
        changes["category"] = found.category
    priority = Priority(found.priority) if confident else Priority(ticket.priority)
    for risk in found.risks:
        raised = RAISED.get(risk)
        if raised is not None and RANK[raised] > RANK[priority]:
            priority = raised
    if "priority" in open_fields and priority != ticket.priority:
        changes["priority"] = priority
    flag = any(risk in RAISED for risk in found.risks) and not ticket.safeguarding_flag
    diff = {key: {"old": getattr(ticket, key), "new": value} for key, value in changes.items()}
    for key, value in changes.items():
        setattr(ticket, key, value)
    if flag:
        ticket.safeguarding_flag = True
        diff["safeguarding_flag"] = {"old": False, "new": True}
    duplicates = await likely_duplicates(session, ticket)
    ticket.ai_classification = {
        **classification(found, fallback),
        "possible_duplicates": [duplicate.shown() for duplicate in duplicates],
    }
    ticket.ai_confidence = found.confidence
    ticket.triage_status = TriageStatus.CLASSIFIED
    details = {
        "category": found.category,
        "confidence": found.confidence,
        "provider": found.made.provider,
        "applied": {key: value["new"] for key, value in diff.items()},
        "possible_duplicates": [duplicate.shown()["id"] for duplicate in duplicates],
    }
    record(session, ticket, "ai_classified", SYSTEM, details)
    await session.flush()
    await events.ticket_event(session, EventType.TICKET_CLASSIFIED, ticket, SYSTEM, changes=diff)


async def give_up(services: Services, ticket_id: uuid.UUID, error: str) -> None:
    async with services.db.transaction() as work:
        ticket = await work.session.get(Ticket, ticket_id, with_for_update=True)
        if ticket is None or ticket.triage_status != TriageStatus.PENDING:
            return
        ticket.triage_status = TriageStatus.FAILED
        record(work.session, ticket, "ai_failed", SYSTEM, {"error": error})
        await work.session.flush()
        status = {"triage_status": {"old": TriageStatus.PENDING, "new": TriageStatus.FAILED}}
        await events.ticket_event(
            work.session, EventType.TICKET_UPDATED, ticket, SYSTEM, changes=status
        )


async def run_triage_job(services: Services, payload: dict[str, Any]) -> None:
    """One `ai_triage` job; a failure on Haven's side is tried again, then recorded."""
    ticket_id = uuid.UUID(str(payload["ticket_id"]))
    fill = [str(name) for name in payload.get("fill", [])]
    attempt = int(str(payload.get("attempt", 0)))
    try:
        await triage_ticket(services, ticket_id, fill)
    except Exception as error:
        logger.exception("triage of ticket %s failed (attempt %d)", ticket_id, attempt + 1)
        if attempt >= len(RETRY_AFTER):
            await give_up(services, ticket_id, f"{type(error).__name__}: triage failed")
            return
        async with services.db.transaction() as work:
            await enqueue(
                work.session,
                TRIAGE_JOB,
                {**payload, "attempt": attempt + 1},
                after=RETRY_AFTER[attempt],
            )


def register_triage(queue: PgQueuer, services: Services) -> None:
    @queue.entrypoint(TRIAGE_JOB)
    async def triage(job: Job) -> None:
        await run_triage_job(services, payload_of(job.payload))
