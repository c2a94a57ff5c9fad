"""Adding comments; a contact writing on a finished ticket reopens it."""

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import AuthorKind, Comment
from app.events import service as events
from app.events.models import EventType
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.tickets import service as tickets
from app.tickets.models import ActorKind, Ticket, TicketStatus
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
    """Store the comment, bump the ticket, and reopen it when a contact replies after resolution."""
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
    reopen = draft.author_kind == AuthorKind.CONTACT and ticket.status in FINISHED
    reopened = {"status": {"old": ticket.status, "new": TicketStatus.OPEN.value}}
    contact = Actor(ActorKind.CONTACT, None, comment.author_name or comment.author_email)
    if reopen:
        tickets.apply_status(ticket, TicketStatus.OPEN)
        tickets.record(session, ticket, "reopened", contact, reopened)
    tickets.touch(ticket)
    await session.flush()
    if reopen:
        await events.ticket_event(
            session, EventType.STATUS_CHANGED, ticket, contact, changes=reopened
        )
    commented = {"commentId": to_global_id("Comment", comment.id)}
    tickets.record(session, ticket, "comment_added", actor, commented)
    await events.ticket_event(session, EventType.COMMENT_ADDED, ticket, actor, comment=comment)
    return comment, ticket


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
