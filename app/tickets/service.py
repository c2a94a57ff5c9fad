"""Ticket rules: creation with per-tenant numbers, tracked changes, deletion."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.repository import UserRepository
from app.boards.repository import BoardRepository
from app.events import service as events
from app.events.models import EventType
from app.jobs.queue import enqueue_each
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import NotFound
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.notifications import triggers as notifications
from app.sla import clocks as sla
from app.tenants.repository import next_ticket_numbers
from app.tickets.models import Priority, Source, Ticket, TicketStatus, TimelineEntry
from app.tickets.repository import TicketRepository

CATEGORY_MAX = 100
# Every new ticket's AI triage (app.ai.triage), queued in the transaction that creates it.
TRIAGE_JOB = "ai_triage"


class Unset:
    """Marks an update field the caller left out (as opposed to setting it to null)."""


UNSET: Any = Unset()


@dataclass
class NewTicket:
    board_id: uuid.UUID
    title: str
    description: str | None = None
    # Left out: medium until triage suggests one (as it may fill an empty category).
    priority: Priority | None = None
    category: str | None = None
    source: Source = Source.MANUAL
    requester_name: str | None = None
    requester_email: str | None = None
    reporter_external_id: str | None = None
    subject_external_id: str | None = None
    assignee_id: uuid.UUID | None = None
    tags: list[str] = field(default_factory=list)
    metadata: Any = None  # checked to be a JSON object of at most 16 KB
    # Chosen by the caller when something else must name the ticket in the same transaction.
    id: uuid.UUID | None = None


@dataclass
class TicketChanges:
    title: str = UNSET
    description: str | None = UNSET
    status: TicketStatus = UNSET
    priority: Priority = UNSET
    category: str | None = UNSET
    assignee_id: uuid.UUID | None = UNSET
    tags: list[str] = UNSET

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not isinstance(v, Unset)}


def record(session: AsyncSession, ticket: Ticket, kind: str, actor: Actor, changes: dict) -> None:
    """Append a timeline entry to the ticket's history, in the caller's transaction."""
    session.add(
        TimelineEntry(
            tenant_id=ticket.tenant_id,
            ticket_id=ticket.id,
            kind=kind,
            **actor.as_columns("actor"),
            changes=changes,
        )
    )


async def _check_assignee(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
    if await UserRepository(session, tenant_id).get(user_id) is None:
        raise NotFound("Assignee")


async def create_ticket(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, draft: NewTicket
) -> Ticket:
    """Validate, number and store a new ticket on one of the tenant's boards."""
    (ticket,) = await create_tickets(session, tenant_id, [(actor, draft)])
    return ticket


def _new_ticket(tenant_id: uuid.UUID, draft: NewTicket) -> Ticket:
    return Ticket(
        id=draft.id or uuid.uuid4(),
        tenant_id=tenant_id,
        board_id=draft.board_id,
        title=validation.title(draft.title),
        description=validation.text(draft.description, "description"),
        status=TicketStatus.OPEN,
        priority=draft.priority or Priority.MEDIUM,
        category=validation.name(draft.category, "category", CATEGORY_MAX),
        source=draft.source,
        requester_name=validation.name(draft.requester_name, "requesterName"),
        requester_email=validation.email(draft.requester_email, "requesterEmail"),
        reporter_external_id=validation.name(draft.reporter_external_id, "reporterExternalId"),
        subject_external_id=validation.name(draft.subject_external_id, "subjectExternalId"),
        assignee_id=draft.assignee_id,
        tags=validation.tags(draft.tags),
        meta=validation.metadata(draft.metadata),
    )


async def create_tickets(
    session: AsyncSession, tenant_id: uuid.UUID, drafts: list[tuple[Actor, NewTicket]]
) -> list[Ticket]:
    """Several new tickets of one tenant, each by its own actor, numbered in order. Everything
    is checked before anything is written; boards, assignees and counters are looked up once
    per batch rather than once per ticket."""
    tickets = [_new_ticket(tenant_id, draft) for _, draft in drafts]
    boards = BoardRepository(session, tenant_id)
    for board_id in dict.fromkeys(ticket.board_id for ticket in tickets):
        if await boards.get(board_id) is None:
            raise NotFound("Board")
    for assignee_id in dict.fromkeys(t.assignee_id for t in tickets if t.assignee_id):
        await _check_assignee(session, tenant_id, assignee_id)
    numbers = await next_ticket_numbers(session, tenant_id, len(tickets))
    for ticket, number in zip(tickets, numbers, strict=True):
        ticket.number = number
    session.add_all(tickets)
    await session.flush()
    await sla.start_clocks(session, tenant_id, tickets)
    made = [(ticket, actor) for ticket, (actor, _) in zip(tickets, drafts, strict=True)]
    created = [
        {
            "tenant_id": tenant_id,
            "ticket_id": ticket.id,
            "kind": "created",
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "changes": {"source": ticket.source},
        }
        for ticket, actor in made
    ]
    await session.execute(insert(TimelineEntry), created)
    triage = [
        {"ticket_id": str(ticket.id), "fill": _left_out(draft)}
        for ticket, (_, draft) in zip(tickets, drafts, strict=True)
    ]
    await enqueue_each(session, TRIAGE_JOB, triage)
    await events.tickets_created(session, tenant_id, made)
    for ticket, actor in made:
        if ticket.assignee_id is not None:
            await notifications.ticket_assigned(session, ticket, actor)
    return tickets


def _left_out(draft: NewTicket) -> list[str]:
    """The fields the ticket's creator did not choose, which triage may fill."""
    return [name for name in ("priority", "category") if getattr(draft, name) is None]


async def _validated(session: AsyncSession, tenant_id: uuid.UUID, given: dict[str, Any]) -> dict:
    checks: dict[str, Callable[[Any], Any]] = {
        "title": validation.title,
        "description": lambda v: validation.text(v, "description"),
        "category": lambda v: validation.name(v, "category", CATEGORY_MAX),
        "tags": validation.tags,
    }
    cleaned = {key: checks[key](value) if key in checks else value for key, value in given.items()}
    if cleaned.get("assignee_id") is not None:
        await _check_assignee(session, tenant_id, cleaned["assignee_id"])
    return cleaned


def _jsonable(value: Any, key: str) -> Any:
    # Timeline values are shown to clients, so ids appear in their global form.
    return to_global_id("User", value) if key == "assignee_id" and value else value


async def update_ticket(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    ticket_id: uuid.UUID,
    changes: TicketChanges,
) -> Ticket:
    """Apply the given changes and record each kind of change on the timeline."""
    ticket = await TicketRepository(session, tenant_id).get(ticket_id, for_update=True)
    if ticket is None:
        raise NotFound("Ticket")
    cleaned = await _validated(session, tenant_id, changes.given())
    diff = {
        key: {"old": _jsonable(getattr(ticket, key), key), "new": _jsonable(value, key)}
        for key, value in cleaned.items()
        if getattr(ticket, key) != value
    }
    if not diff:
        return ticket
    for key in diff:
        setattr(ticket, key, cleaned[key])
    if "status" in diff:
        apply_status(ticket, TicketStatus(cleaned["status"]))
    if diff.keys() & {"status", "priority"}:
        await sla.follow(session, ticket)
    _record_diff(session, ticket, actor, diff)
    await session.flush()
    await announce_changes(session, ticket, actor, diff)
    if "assignee_id" in diff and ticket.assignee_id is not None:
        await notifications.ticket_assigned(session, ticket, actor)
    return ticket


async def announce_changes(
    session: AsyncSession, ticket: Ticket, actor: Actor, diff: dict[str, Any]
) -> None:
    """Events for a change: status and assignment have their own types, the rest is an update."""
    rest = dict(diff)
    if "status" in rest:
        status = {"status": rest.pop("status")}
        await events.ticket_event(session, EventType.STATUS_CHANGED, ticket, actor, changes=status)
        if status["status"]["new"] == TicketStatus.RESOLVED:
            await events.ticket_event(session, EventType.TICKET_RESOLVED, ticket, actor)
    if "assignee_id" in rest:
        assignee = {"assignee_id": rest.pop("assignee_id")}
        await events.ticket_event(session, EventType.ASSIGNED, ticket, actor, changes=assignee)
    if rest:
        await events.ticket_event(session, EventType.TICKET_UPDATED, ticket, actor, changes=rest)


def apply_status(ticket: Ticket, status: TicketStatus) -> None:
    ticket.status = status
    if status == TicketStatus.RESOLVED:
        ticket.resolved_at = utcnow()
    elif status != TicketStatus.CLOSED:
        ticket.resolved_at = None


def touch(ticket: Ticket) -> None:
    """Mark the ticket as changed now (a comment counts as activity on it)."""
    ticket.updated_at = utcnow()


def _record_diff(session: AsyncSession, ticket: Ticket, actor: Actor, diff: dict) -> None:
    rest = dict(diff)
    for key, kind in (("status", "status_changed"), ("assignee_id", "assigned")):
        if key in rest:
            record(session, ticket, kind, actor, {key: rest.pop(key)})
    if rest:
        record(session, ticket, "updated", actor, rest)


async def delete_ticket(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, ticket_id: uuid.UUID
) -> Ticket:
    """Remove a ticket with its comments and timeline (the database cascades them); the event
    log keeps a `ticket_deleted` event with what the ticket last looked like."""
    repository = TicketRepository(session, tenant_id)
    ticket = await repository.get(ticket_id, for_update=True)
    if ticket is None:
        raise NotFound("Ticket")
    await events.ticket_event(session, EventType.TICKET_DELETED, ticket, actor)
    await repository.delete(ticket)
    return ticket
