"""Adding comments; a contact's reply hands the ticket back to the team: a finished ticket
reopens, and one waiting on the contact goes back to whoever works it."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import AuthorKind, Comment
from app.events import service as events
from app.events.models import EventType
from app.kit import validation
from app.kit.actors import Actor, ActorKind
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.notifications import triggers as notifications
from app.notifications.requesters import queue_reply_mail
from app.sla import clocks as sla
from app.tickets import service as tickets
from app.tickets.models import Ticket, TicketStatus
from app.tickets.repository import TicketRepository

FINISHED = {TicketStatus.RESOLVED, TicketStatus.CLOSED}


@dataclass
class NewComment:
    ticket_id: uuid.UUID
    body: str
    is_internal: bool = False
    author_kind: AuthorKind = AuthorKind.AGENT
    contact_name: str | None = None
    contact_email: str | None = None


async def add_comment(
    session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, draft: NewComment
) -> tuple[Comment, Ticket]:
    """Store the comment and bump the ticket. A contact's reply reopens a finished ticket and
    takes one waiting on the contact back to the team, each recorded as the contact's change."""
    body = validation.body(draft.body)
    if draft.author_kind == AuthorKind.CONTACT and draft.is_internal:
        raise ValidationFailed("A contact's comment cannot be internal", field="isInternal")
    ticket = await TicketRepository(session, tenant_id).get(draft.ticket_id, for_update=True)
    if ticket is None:
        raise NotFound("Ticket")
    comment = Comment(
        tenant_id=tenant_id,
        ticket_id=ticket.id,
        body=body,
        is_internal=draft.is_internal,
        author_kind=draft.author_kind,
        **_author(draft, actor, ticket),
    )
    session.add(comment)
    moved = _answered(session, ticket, comment) if draft.author_kind == AuthorKind.CONTACT else None
    tickets.touch(ticket)
    await session.flush()
    if moved is not None:
        contact, changes = moved
        await events.ticket_event(
            session, EventType.STATUS_CHANGED, ticket, contact, changes=changes
        )
    commented = {"commentId": to_global_id("Comment", comment.id)}
    tickets.record(session, ticket, "comment_added", actor, commented)
    await events.ticket_event(session, EventType.COMMENT_ADDED, ticket, actor, comment=comment)
    await _followed_up(session, ticket, comment, actor, moved is not None)
    return comment, ticket


async def _followed_up(
    session: AsyncSession, ticket: Ticket, comment: Comment, actor: Actor, moved: bool
) -> None:
    """SLA clocks, mentions and the requester's copy of a reply, as the comment calls for."""
    if moved:
        await sla.follow(session, ticket)
    if comment.author_kind != AuthorKind.AGENT:
        return
    if not comment.is_internal:
        await sla.first_response(session, ticket.id, utcnow())
        await queue_reply_mail(session, ticket, comment)
    await notifications.comment_mentions(session, ticket, comment.body, comment.is_internal, actor)


def _status_after_reply(ticket: Ticket) -> TicketStatus | None:
    """Where a contact's reply takes the ticket, if anywhere. A ticket waiting on the contact
    goes back to where an agent left it: in progress when someone is assigned (it is still
    theirs, now with the answer they asked for), open for the queue when nobody is."""
    if ticket.status in FINISHED:
        return TicketStatus.OPEN
    if ticket.status == TicketStatus.WAITING:
        return TicketStatus.IN_PROGRESS if ticket.assignee_id else TicketStatus.OPEN
    return None


def _answered(session: AsyncSession, ticket: Ticket, comment: Comment) -> tuple[Actor, dict] | None:
    """Move the ticket for a contact's reply and record it on the timeline, as the contact;
    returns who moved it and the change, for the event sent once the comment is flushed."""
    target = _status_after_reply(ticket)
    if target is None:
        return None
    contact = Actor(ActorKind.CONTACT, None, comment.author_name or comment.author_email)
    changes = {"status": {"old": ticket.status, "new": target.value}}
    kind = "reopened" if ticket.status in FINISHED else "status_changed"
    tickets.apply_status(ticket, target)
    tickets.record(session, ticket, kind, contact, changes)
    return contact, changes


def _author(draft: NewComment, actor: Actor, ticket: Ticket) -> dict:
    if draft.author_kind == AuthorKind.CONTACT:
        return {
            "author_id": None,
            "author_name": validation.name(draft.contact_name, "contactName")
            or ticket.requester_name,
            "author_email": validation.email(draft.contact_email, "contactEmail")
            or ticket.requester_email,
        }
    user_id = actor.id if actor.kind == ActorKind.USER else None
    return {"author_id": user_id, "author_name": actor.name, "author_email": None}
