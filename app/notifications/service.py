"""Telling team members what needs them: each recipient's preferences decide whether a notice
is shown in the app (and delivered live) and whether it is mailed. Everything is written in the
caller's transaction; the live event and the mail leave only once it commits."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import EventType
from app.events.service import add_event
from app.jobs.queue import enqueue_each
from app.kit.actors import SYSTEM
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow
from app.notifications.models import Notification, NotificationKind
from app.notifications.repository import NotificationRepository
from app.tenants.repository import next_event_seqs

MAIL_JOB = "notification_mail"
# Every kind is shown in the app; a warning that may still be beaten is not worth a mail.
EMAILED_BY_DEFAULT = {
    NotificationKind.ASSIGNMENT,
    NotificationKind.MENTION,
    NotificationKind.SLA_BREACHED,
    NotificationKind.URGENT,
}
TITLE_MAX, BODY_MAX = 300, 2000


@dataclass(frozen=True)
class Notice:
    """What to tell: its kind, a title, a body, and the ticket or case it is about."""

    kind: NotificationKind
    title: str
    body: str
    ticket_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Preference:
    kind: NotificationKind
    in_app: bool
    email: bool


def user_topic(user_id: uuid.UUID) -> str:
    """The event topic only that user's own stream follows."""
    return f"user:{user_id}"


def default_preference(kind: NotificationKind) -> Preference:
    return Preference(kind, True, kind in EMAILED_BY_DEFAULT)


async def preferences(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID
) -> list[Preference]:
    """The user's choice for every kind, defaults where they made none."""
    saved = await NotificationRepository(session, tenant_id).preferences([user_id])
    chosen = {
        row.kind: Preference(NotificationKind(row.kind), row.in_app, row.email) for row in saved
    }
    return [chosen.get(kind, default_preference(kind)) for kind in NotificationKind]


async def set_preferences(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, given: Sequence[Preference]
) -> list[Preference]:
    kinds = [choice.kind for choice in given]
    if len(set(kinds)) != len(kinds):
        raise ValidationFailed("Each kind may be given once", field="preferences")
    repository = NotificationRepository(session, tenant_id)
    for choice in given:
        await repository.save_preference(user_id, choice.kind, choice.in_app, choice.email)
    return await preferences(session, tenant_id, user_id)


async def notify(
    session: AsyncSession, tenant_id: uuid.UUID, user_ids: Sequence[uuid.UUID], notice: Notice
) -> list[Notification]:
    """Notify each active team member among `user_ids`, as each of them prefers."""
    repository = NotificationRepository(session, tenant_id)
    users = await repository.recipients(list(dict.fromkeys(user_ids)))
    if not users:
        return []
    saved = {
        row.user_id: row for row in await repository.preferences([u.id for u in users], notice.kind)
    }
    made = []
    for user in users:
        choice = saved.get(user.id) or default_preference(notice.kind)
        if choice.in_app or choice.email:
            made.append(_notification(tenant_id, user.id, notice, choice.in_app, choice.email))
    session.add_all(made)
    await session.flush()
    await _announce(session, tenant_id, [row for row in made if row.in_app])
    mails = [{"notification_id": str(row.id)} for row in made if row.emailed]
    await enqueue_each(session, MAIL_JOB, mails)
    return made


def _notification(
    tenant_id: uuid.UUID, user_id: uuid.UUID, notice: Notice, in_app: bool, email: bool
) -> Notification:
    return Notification(
        tenant_id=tenant_id,
        recipient_id=user_id,
        kind=notice.kind,
        title=" ".join(notice.title.split())[:TITLE_MAX],
        body=notice.body[:BODY_MAX],
        ticket_id=notice.ticket_id,
        case_id=notice.case_id,
        in_app=in_app,
        emailed=email,
    )


async def _announce(session: AsyncSession, tenant_id: uuid.UUID, rows: list[Notification]) -> None:
    """One event per notification on its recipient's own topic, internal (it never leaves
    Haven). It carries only the notification's id and kind: a notice may quote an internal
    note, and the event log feeds other consumers too."""
    if not rows:
        return
    seqs = await next_event_seqs(session, tenant_id, len(rows))
    for seq, row in zip(seqs, rows, strict=True):
        row.seq = seq
        payload = {"notification": {"id": str(row.id), "kind": row.kind}, "changes": {}}
        add_event(
            session,
            tenant_id,
            seq,
            EventType.NOTIFICATION_CREATED,
            [user_topic(row.recipient_id)],
            payload,
            SYSTEM,
            internal=True,
        )


async def notify_role(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    role: str,
    title: str,
    body: str,
    *,
    kind: NotificationKind = NotificationKind.URGENT,
    ticket_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> list[Notification]:
    """Alert everyone of the tenant holding `role` (for workflows: an urgent alert)."""
    users = await NotificationRepository(session, tenant_id).with_role(role)
    notice = Notice(kind, title, body, ticket_id=ticket_id, case_id=case_id)
    return await notify(session, tenant_id, [user.id for user in users], notice)


async def mark_read(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, ids: Sequence[uuid.UUID] | None
) -> int:
    return await NotificationRepository(session, tenant_id).mark_read(user_id, ids, utcnow())
