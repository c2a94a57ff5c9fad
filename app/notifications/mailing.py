"""The mail jobs: a notification to its recipient, a team reply to its ticket's requester."""

import uuid
from typing import Any

from pgqueuer import PgQueuer
from pgqueuer.models import Job

from app.auth.models import User
from app.comments.models import Comment
from app.intake import mails
from app.intake.public import status_url
from app.intake.service import issue_status_link
from app.jobs.queue import payload_of
from app.mail.sender import compose, deliver
from app.notifications.models import Notification
from app.notifications.requesters import REPLY_MAIL_JOB, reaches_requester
from app.notifications.service import MAIL_JOB
from app.services import Services
from app.tenants import repository as tenants
from app.tickets.models import Ticket


async def send_notification_mail(services: Services, payload: dict[str, Any]) -> None:
    """Mail one notification to its recipient, if they are still an active team member."""
    notification_id = uuid.UUID(str(payload["notification_id"]))
    async with services.db.read() as session:
        notification = await session.get(Notification, notification_id)
        user = await session.get(User, notification.recipient_id) if notification else None
    if notification is None or user is None or not user.is_active:
        return
    text = f"{notification.body}\n\nOpen Haven to see it.\n"
    await deliver(
        services.settings, [compose(services.settings, user.email, notification.title, text)]
    )


async def send_reply_mail(services: Services, payload: dict[str, Any]) -> None:
    """Mail a public reply to its ticket's requester with a fresh private status link."""
    tenant_id = uuid.UUID(str(payload["tenant_id"]))
    comment_id = uuid.UUID(str(payload["comment_id"]))
    async with services.db.transaction() as work:
        session = work.session
        comment = await session.get(Comment, comment_id)
        ticket = await session.get(Ticket, comment.ticket_id) if comment else None
        tenant = await tenants.get(session, tenant_id)
        if comment is None or ticket is None or tenant is None or ticket.tenant_id != tenant_id:
            return  # deleted since: there is nothing left to tell
        if not reaches_requester(ticket, comment) or ticket.requester_email is None:
            return
        token = await issue_status_link(session, ticket)
        message = mails.agent_reply(
            services.settings,
            ticket.requester_email,
            ticket.number,
            ticket.title,
            comment.body,
            status_url(services, token),
            tenant.name,
        )
    await deliver(services.settings, [message])


def register_mail_jobs(queue: PgQueuer, services: Services) -> None:
    @queue.entrypoint(MAIL_JOB)
    async def notification_mail(job: Job) -> None:
        await send_notification_mail(services, payload_of(job.payload))

    @queue.entrypoint(REPLY_MAIL_JOB)
    async def reply_mail(job: Job) -> None:
        await send_reply_mail(services, payload_of(job.payload))
