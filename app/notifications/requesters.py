"""A team member's public reply, mailed to the requester of a ticket that came from outside
(the intake form, the widget, the API or email) with a private link to answer it. Internal
notes are never mailed. The mail is a job queued with the reply, so it leaves only if the
reply commits; the job issues the link, as only a link's hash is ever stored."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.comments.models import AuthorKind, Comment
from app.jobs.queue import enqueue
from app.tickets.models import Source, Ticket

REPLY_MAIL_JOB = "requester_reply_mail"
FROM_OUTSIDE = {Source.FORM, Source.WIDGET, Source.API, Source.EMAIL}


def reaches_requester(ticket: Ticket, comment: Comment) -> bool:
    return (
        comment.author_kind == AuthorKind.AGENT
        and not comment.is_internal
        and ticket.requester_email is not None
        and ticket.source in FROM_OUTSIDE
    )


async def queue_reply_mail(session: AsyncSession, ticket: Ticket, comment: Comment) -> None:
    """Queue the requester's copy of `comment`, when it is a reply they should receive."""
    if reaches_requester(ticket, comment):
        payload = {"tenant_id": str(ticket.tenant_id), "comment_id": str(comment.id)}
        await enqueue(session, REPLY_MAIL_JOB, payload)
