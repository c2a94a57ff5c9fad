"""Widget embed tokens and the user reports they bring in: the rules, no transport."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.auth.secrets import digest, new_secret
from app.boards.service import default_board
from app.kit import validation
from app.kit.actors import Actor, ActorKind
from app.kit.errors import NotFound, Unauthenticated, ValidationFailed
from app.kit.ids import to_global_id
from app.tickets.categories import ReportCategory, priority_of
from app.tickets.models import Source, Ticket
from app.tickets.service import NewTicket, create_ticket
from app.widgets import repository
from app.widgets.models import Report, WidgetToken
from app.widgets.origins import allowed_origins

WIDGET_TOKEN_PREFIX = "wgt_"
# Reports are filed by end users of the tenant's platform, known only by its own ids.
REPORTER = Actor(ActorKind.CONTACT, None, "Report widget")


def _now() -> datetime:
    return datetime.now().astimezone()


async def create_widget_token(
    session: AsyncSession, principal: Principal, *, name: str, origins: list[str]
) -> tuple[WidgetToken, str]:
    """A new token; the secret is returned here once and never again."""
    label = validation.name(name, "name")
    if not label:
        raise ValidationFailed("name is required", field="name")
    secret = new_secret(WIDGET_TOKEN_PREFIX)
    token = WidgetToken(
        tenant_id=principal.tenant_id,
        name=label,
        prefix=secret[:12],
        token_hash=digest(secret),
        allowed_origins=allowed_origins(origins),
        created_by_id=principal.user_id,
    )
    session.add(token)
    await session.flush()
    return token, secret


async def revoke_widget_token(
    session: AsyncSession, principal: Principal, token_id: uuid.UUID
) -> WidgetToken:
    token = await repository.WidgetTokenRepository(session, principal.tenant_id).get(token_id)
    if token is None:
        raise NotFound("Widget token")
    if token.revoked_at is None:
        token.revoked_at = _now()
    return token


async def token_for(session: AsyncSession, secret: str | None) -> WidgetToken:
    """The live token a widget sent, which names the tenant the report is for."""
    if not secret or not secret.strip():
        raise Unauthenticated("Send the widget embed token in the X-Widget-Token header")
    token = await repository.token_by_hash(session, digest(secret.strip()))
    if token is None:
        raise Unauthenticated("Invalid or revoked widget token")
    return token


@dataclass
class NewReport:
    category: ReportCategory
    description: str
    reporter_id: str | None = None
    reported_user_id: str | None = None
    content_ids: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def _ticket_draft(board_id: uuid.UUID, report_id: uuid.UUID, draft: NewReport) -> NewTicket:
    label = draft.category.value.replace("_", " ")
    return NewTicket(
        board_id=board_id,
        title=f"User report: {label}",
        description=draft.description,
        priority=priority_of(draft.category),
        category=draft.category.value,
        source=Source.WIDGET,
        reporter_external_id=draft.reporter_id,
        subject_external_id=draft.reported_user_id,
        tags=["report", draft.category.value],
        metadata={
            "report_id": to_global_id("Report", report_id),
            "content_ids": draft.content_ids,
            "metadata": draft.metadata,
        },
    )


async def submit_report(
    session: AsyncSession, token: WidgetToken, draft: NewReport
) -> tuple[Report, Ticket]:
    """File the report with a ticket in the tenant's queue, in the caller's transaction."""
    board = await default_board(session, token.tenant_id)
    report_id = uuid.uuid4()
    ticket = await create_ticket(
        session, token.tenant_id, REPORTER, _ticket_draft(board.id, report_id, draft)
    )
    report = Report(
        id=report_id,
        tenant_id=token.tenant_id,
        ticket_id=ticket.id,
        widget_token_id=token.id,
        category=draft.category,
        reporter_id=draft.reporter_id,
        reported_user_id=draft.reported_user_id,
        description=draft.description,
        content_ids=draft.content_ids,
        meta=draft.metadata,
    )
    session.add(report)
    await session.flush()
    await repository.WidgetTokenRepository(session, token.tenant_id).touch(token, _now())
    return report, ticket
