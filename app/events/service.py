"""Writing events in the caller's transaction; they are announced only after it commits."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import Comment
from app.events.models import Event, EventType
from app.kit.actors import Actor, actor_global_id
from app.kit.db import COMMITTED_EVENTS
from app.kit.snapshots import snapshot
from app.tenants.repository import next_event_seqs
from app.tickets.models import Ticket


@dataclass(frozen=True)
class Committed:
    """What a committed transaction announces: the tenant and the `seq` of its new event."""

    tenant_id: uuid.UUID
    seq: int


def board_topic(board_id: uuid.UUID) -> str:
    return f"board:{board_id}"


def ticket_topic(ticket_id: uuid.UUID) -> str:
    return f"ticket:{ticket_id}"


def event_actor(actor: Actor) -> dict[str, Any]:
    """Who an event names, in the one shape live clients read for every kind of event."""
    return {
        "kind": actor.kind,
        "id": actor_global_id(actor.kind, actor.id),
        "name": actor.name,
    }


def add_event(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    seq: int,
    type: str,
    topics: list[str],
    payload: dict[str, Any],
    actor: Actor,
    *,
    internal: bool = False,
) -> Event:
    """Add event `seq` (from `next_event_seqs`) to the caller's transaction; it is announced
    to the event listeners only once that transaction commits."""
    event = Event(
        tenant_id=tenant_id,
        seq=seq,
        topics=topics,
        type=type,
        payload=payload,
        actor=event_actor(actor),
        internal=internal,
    )
    session.add(event)
    session.info.setdefault(COMMITTED_EVENTS, []).append(Committed(tenant_id, seq))
    return event


async def ticket_event(
    session: AsyncSession,
    type: EventType,
    ticket: Ticket,
    actor: Actor,
    *,
    changes: dict[str, Any] | None = None,
    comment: Comment | None = None,
) -> Event:
    """Record an event about a ticket (and its new comment), seen on its board and itself."""
    (seq,) = await next_event_seqs(session, ticket.tenant_id, 1)
    return _add(session, seq, type, ticket, actor, changes, comment)


async def tickets_created(
    session: AsyncSession, tenant_id: uuid.UUID, made: list[tuple[Ticket, Actor]]
) -> list[Event]:
    """`ticket_created` for each new ticket of one tenant, with one counter update for all."""
    seqs = await next_event_seqs(session, tenant_id, len(made))
    return [
        _add(session, seq, EventType.TICKET_CREATED, ticket, actor, None, None)
        for seq, (ticket, actor) in zip(seqs, made, strict=True)
    ]


def _add(
    session: AsyncSession,
    seq: int,
    type: EventType,
    ticket: Ticket,
    actor: Actor,
    changes: dict[str, Any] | None,
    comment: Comment | None,
) -> Event:
    payload: dict[str, Any] = {"ticket": snapshot(ticket), "changes": changes or {}}
    if comment is not None:
        payload["comment"] = snapshot(comment)
    topics = [board_topic(ticket.board_id), ticket_topic(ticket.id)]
    internal = bool(comment is not None and comment.is_internal)
    return add_event(
        session, ticket.tenant_id, seq, type, topics, payload, actor, internal=internal
    )
