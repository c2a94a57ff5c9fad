"""What notifies whom: an assignment its assignee, a mention the teammate named, an SLA
warning or breach the assignee (or, with nobody assigned, the administrators)."""

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User
from app.kit.actors import Actor, ActorKind
from app.notifications.models import NotificationKind
from app.notifications.repository import NotificationRepository
from app.notifications.service import Notice, notify
from app.tickets.models import Ticket

# `@ana`, `@ana.silva`, `@AnaSilva` or `@ana.silva@example.com`, not an address in running text.
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")
EXCERPT = 280


def _others(user_ids: Iterable[uuid.UUID | None], actor: Actor) -> list[uuid.UUID]:
    """Nobody is told of what they did themselves."""
    me = actor.id if actor.kind == ActorKind.USER else None
    return [user_id for user_id in user_ids if user_id is not None and user_id != me]


def ticket_label(ticket: Ticket) -> str:
    return f"#{ticket.number} {ticket.title}"


async def ticket_assigned(session: AsyncSession, ticket: Ticket, actor: Actor) -> None:
    title = f"Assigned to you: {ticket_label(ticket)}"
    body = f"{actor.name or 'Someone'} assigned ticket {ticket_label(ticket)} to you."
    notice = Notice(NotificationKind.ASSIGNMENT, title, body, ticket_id=ticket.id)
    await notify(session, ticket.tenant_id, _others([ticket.assignee_id], actor), notice)


async def case_assigned(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    case_id: uuid.UUID,
    label: str,
    assignee_id: uuid.UUID | None,
    actor: Actor,
) -> None:
    title = f"Case assigned to you: {label}"
    body = f"{actor.name or 'Someone'} assigned case {label} to you."
    notice = Notice(NotificationKind.ASSIGNMENT, title, body, case_id=case_id)
    await notify(session, tenant_id, _others([assignee_id], actor), notice)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def mentioned(body: str, team: list[User]) -> list[uuid.UUID]:
    """The teammates `body` names, by email or by name; a name two people share names nobody."""
    found: list[uuid.UUID] = []
    for token in MENTION.findall(body):
        if "@" in token:
            hits = [user for user in team if user.email.casefold() == token.casefold()]
        else:
            key = _key(token)
            hits = [u for u in team if key and key in (_key(u.name), _key(u.email.split("@")[0]))]
        if len(hits) == 1 and hits[0].id not in found:
            found.append(hits[0].id)
    return found


async def comment_mentions(
    session: AsyncSession, ticket: Ticket, body: str, internal: bool, actor: Actor
) -> None:
    if "@" not in body:
        return
    team = await NotificationRepository(session, ticket.tenant_id).team()
    named = _others(mentioned(body, team), actor)
    if not named:
        return
    where = "an internal note" if internal else "a reply"
    title = f"{actor.name or 'Someone'} mentioned you on {ticket_label(ticket)}"
    text = " ".join(body.split())
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
    notice = Notice(NotificationKind.MENTION, title, f"In {where}: {excerpt}", ticket_id=ticket.id)
    await notify(session, ticket.tenant_id, named, notice)


async def sla_alarm(
    session: AsyncSession, ticket: Ticket, kind: NotificationKind, target: str, due: datetime
) -> None:
    """To the assignee, or to every administrator while nobody is assigned."""
    what = target.replace("_", " ")
    verb = "is due" if kind == NotificationKind.SLA_WARNING else "was missed"
    title = f"SLA {what} {verb}: {ticket_label(ticket)}"
    body = f"The {what} target of ticket {ticket_label(ticket)} {verb} ({due:%Y-%m-%d %H:%M} UTC)."
    notice = Notice(kind, title, body, ticket_id=ticket.id)
    if ticket.assignee_id is not None:
        recipients = [ticket.assignee_id]
    else:
        admins = await NotificationRepository(session, ticket.tenant_id).with_role(Role.ADMIN)
        recipients = [admin.id for admin in admins]
    await notify(session, ticket.tenant_id, recipients, notice)
