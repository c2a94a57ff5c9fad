"""Reading the queued mail jobs and running them as the worker would."""

import json
from typing import Any

from sqlalchemy import text

from app.notifications.mailing import send_notification_mail, send_reply_mail
from app.notifications.requesters import REPLY_MAIL_JOB
from app.notifications.service import MAIL_JOB
from app.services import Services

NOTIFICATIONS = """query($unread: Boolean) {
  notifications(unreadOnly: $unread) {
    totalCount edges { node { id kind title body ticketId readAt } }
  }
}"""


async def queued(services: Services, entrypoint: str) -> list[dict[str, Any]]:
    async with services.db.read() as session:
        rows = await session.execute(
            text("SELECT payload FROM pgqueuer WHERE entrypoint = :e AND status = 'queued'"),
            {"e": entrypoint},
        )
        return [json.loads(raw) for (raw,) in rows]


async def run_mail_jobs(services: Services) -> None:
    """Send every queued mail through the jobs' own code, then drop the jobs."""
    for payload in await queued(services, MAIL_JOB):
        await send_notification_mail(services, payload)
    for payload in await queued(services, REPLY_MAIL_JOB):
        await send_reply_mail(services, payload)
    async with services.db.transaction() as work:
        await work.session.execute(
            text("DELETE FROM pgqueuer WHERE entrypoint IN (:a, :b)"),
            {"a": MAIL_JOB, "b": REPLY_MAIL_JOB},
        )
