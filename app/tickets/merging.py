"""Merging a duplicate ticket into another, and undoing it.

Merging moves the source's comments to the target, adds the source's requester to the
target's (in its metadata, under `merged_requesters`), closes the source and points it at the
target, so the source's number still leads somewhere. The audit chain and both timelines record
exactly what moved and the source's status before, and `unmerge` puts it all back from that
record: the comments that are still on the target return, the status is restored."""

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.comments.models import Comment
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit.actors import Actor
from app.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.tickets.models import Ticket, TicketStatus, TimelineEntry
from app.tickets.repository import TicketRepository
from app.tickets.service import announce_changes, apply_status, record

MERGED_REQUESTERS = "merged_requesters"


async def _locked(
    session: AsyncSession, tenant_id: uuid.UUID, first: uuid.UUID, second: uuid.UUID
) -> tuple[Ticket, Ticket]:
    """Both tickets, locked in id order so two merges of the same pair cannot deadlock."""
    tickets = TicketRepository(session, tenant_id)
    found: dict[uuid.UUID, Ticket] = {}
    for pk in sorted({first, second}):
        ticket = await tickets.get(pk, for_update=True)
        if ticket is None:
            raise NotFound("Ticket")
        found[pk] = ticket
    return found[first], found[second]


def _gid(ticket: Ticket) -> str:
    return to_global_id("Ticket", ticket.id)


async def _audit(
    session: AsyncSession, principal: Principal, action: str, tickets: list[Ticket], details: dict
) -> None:
    await journal.record(
        session,
        Change(
            tenant_id=principal.tenant_id,
            actor=Actor.of(principal),
            action=action,
            subjects=[Subject("Ticket", _gid(ticket)) for ticket in tickets],
            details=details,
        ),
    )


async def merge_tickets(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID, target_id: uuid.UUID
) -> tuple[Ticket, Ticket]:
    if not principal.can_write:
        raise Forbidden("Viewers cannot merge tickets")
    if source_id == target_id:
        raise ValidationFailed("A ticket cannot be merged into itself", field="targetId")
    source, target = await _locked(session, principal.tenant_id, source_id, target_id)
    if source.merged_into_id is not None:
        raise Conflict(f"Ticket #{source.number} was already merged")
    if target.merged_into_id is not None:
        raise Conflict(f"Ticket #{target.number} was merged itself; merge into the one it joined")
    moved = list(
        await session.scalars(
            select(Comment.id).where(
                Comment.tenant_id == principal.tenant_id, Comment.ticket_id == source.id
            )
        )
    )
    await session.execute(update(Comment).where(Comment.id.in_(moved)).values(ticket_id=target.id))
    requester = _add_requester(target, source)
    details: dict[str, Any] = {
        "source": _gid(source),
        "sourceNumber": source.number,
        "target": _gid(target),
        "targetNumber": target.number,
        "comments": [str(pk) for pk in moved],
        "previousStatus": source.status,
        "requesterAdded": requester,
    }
    old_status = source.status
    apply_status(source, TicketStatus.CLOSED)
    source.merged_into_id = target.id
    actor = Actor.of(principal)
    record(session, source, "merged", actor, details)
    record(session, target, "merged_from", actor, details)
    await session.flush()
    merged = {"merged_into": {"old": None, "new": _gid(target)}}
    if old_status != TicketStatus.CLOSED:
        merged["status"] = {"old": old_status, "new": TicketStatus.CLOSED}
    await announce_changes(session, source, actor, merged)
    await announce_changes(
        session, target, actor, {"merged_from": {"old": None, "new": _gid(source)}}
    )
    await _audit(session, principal, "ticket.merged", [source, target], details)
    return source, target


def _add_requester(target: Ticket, source: Ticket) -> bool:
    """The source's requester, kept on the target unless they are the same person."""
    if not (source.requester_email or source.requester_name):
        return False
    if source.requester_email and source.requester_email == target.requester_email:
        return False
    entry = {
        "name": source.requester_name,
        "email": source.requester_email,
        "ticket_number": source.number,
    }
    target.meta = {
        **target.meta,
        MERGED_REQUESTERS: [*target.meta.get(MERGED_REQUESTERS, []), entry],
    }
    return True


async def unmerge_ticket(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID
) -> tuple[Ticket, Ticket]:
    if not principal.can_write:
        raise Forbidden("Viewers cannot unmerge tickets")
    found = await TicketRepository(session, principal.tenant_id).get(source_id)
    if found is None:
        raise NotFound("Ticket")
    if found.merged_into_id is None:
        raise Conflict(f"Ticket #{found.number} is not merged")
    source, target = await _locked(session, principal.tenant_id, source_id, found.merged_into_id)
    merge = await session.scalar(
        select(TimelineEntry.changes)
        .where(
            TimelineEntry.tenant_id == principal.tenant_id,
            TimelineEntry.ticket_id == source.id,
            TimelineEntry.kind == "merged",
        )
        .order_by(TimelineEntry.created_at.desc())
        .limit(1)
    )
    assert merge is not None, "a merged ticket has its merge on its timeline"
    comments = [uuid.UUID(pk) for pk in merge["comments"]]
    await session.execute(
        update(Comment)
        .where(
            Comment.tenant_id == principal.tenant_id,
            Comment.ticket_id == target.id,
            Comment.id.in_(comments),
        )
        .values(ticket_id=source.id)
    )
    if merge.get("requesterAdded"):
        kept = [
            entry
            for entry in target.meta.get(MERGED_REQUESTERS, [])
            if entry.get("ticket_number") != source.number
        ]
        target.meta = {**target.meta, MERGED_REQUESTERS: kept}
    previous = TicketStatus(merge["previousStatus"])
    apply_status(source, previous)
    source.merged_into_id = None
    details = {**merge, "restoredStatus": previous}
    actor = Actor.of(principal)
    record(session, source, "unmerged", actor, details)
    record(session, target, "unmerged_from", actor, details)
    await session.flush()
    changes: dict[str, Any] = {"merged_into": {"old": _gid(target), "new": None}}
    if previous != TicketStatus.CLOSED:
        changes["status"] = {"old": TicketStatus.CLOSED, "new": previous}
    await announce_changes(session, source, actor, changes)
    await announce_changes(
        session, target, actor, {"merged_from": {"old": _gid(source), "new": None}}
    )
    await _audit(session, principal, "ticket.unmerged", [source, target], details)
    return source, target
