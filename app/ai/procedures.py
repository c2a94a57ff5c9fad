"""Ticket → SOP: a resolved ticket and its comments turned into a procedure, saved as a draft
knowledge-base article linked to the ticket.

The agents' internal notes are included: they usually hold the steps that fixed the problem,
and a procedure is the team's own text, never sent to a requester. The article is a draft, so
a person reads it before it is published and can feed drafted replies."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.assistant import STAYS_LOCAL, Call
from app.ai.contract import Message, Purpose, Sop, SopRequest, TicketText
from app.ai.drafting import DraftRefused, csea_flagged
from app.ai.tenant_settings import settings_of
from app.auth.principal import Principal
from app.comments.models import AuthorKind, Comment
from app.kit.actors import Actor
from app.kit.errors import Forbidden, NotFound
from app.kit.ids import to_global_id
from app.knowledge.models import Article
from app.knowledge.service import ArticleFields, create_article
from app.services import Services
from app.tickets.models import Ticket, TicketStatus
from app.tickets.repository import TicketRepository
from app.tickets.service import record

SOP_CATEGORY = "procedures"


def markdown(sop: Sop, ticket: Ticket | None = None) -> str:
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(sop.steps, start=1))
    source = f"\n\n---\nWritten from ticket #{ticket.number}.\n" if ticket else "\n"
    return (
        f"# {sop.title}\n\n"
        f"## When this applies\n\n{sop.applies_when}\n\n"
        f"## Steps\n\n{steps or 'No steps were recorded.'}\n\n"
        f"## Escalation\n\n{sop.escalation}{source}"
    )


async def _messages(session: AsyncSession, ticket: Ticket) -> tuple[Message, ...]:
    rows = await session.scalars(
        select(Comment)
        .where(Comment.tenant_id == ticket.tenant_id, Comment.ticket_id == ticket.id)
        .order_by(Comment.created_at, Comment.id)
    )
    return tuple(
        Message(
            row.author_name or "Agent",
            row.body,
            from_requester=row.author_kind == AuthorKind.CONTACT,
        )
        for row in rows
    )


async def ticket_to_sop(services: Services, principal: Principal, ticket_id: uuid.UUID) -> Article:
    if not principal.can_write:
        raise Forbidden("Viewers cannot write procedures")
    async with services.db.read() as session:
        ticket = await TicketRepository(session, principal.tenant_id).get(ticket_id)
        if ticket is None:
            raise NotFound("Ticket")
        if ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            raise DraftRefused("Only a resolved or closed ticket can become a procedure")
        messages = await _messages(session, ticket)
        settings = await settings_of(session, principal.tenant_id)
    request = SopRequest(
        TicketText(ticket.title, ticket.description or "", ticket.source), messages
    )
    keep_local = STAYS_LOCAL if csea_flagged(ticket) and not settings.external_csea else None
    call = Call(principal.tenant_id, Purpose.SOP, ticket.id)
    sop, _ = await services.ai.run(call, lambda p: p.sop(request), keep_local=keep_local)
    async with services.db.transaction() as work:
        fields = ArticleFields(
            title=sop.title,
            content=markdown(sop, ticket),
            category=SOP_CATEGORY,
            tags=["sop", f"ticket-{ticket.number}"],
        )
        article = await create_article(work.session, principal, fields)
        current = await TicketRepository(work.session, principal.tenant_id).get(ticket.id)
        if current is not None:
            link = {"articleId": to_global_id("KnowledgeArticle", article.id)}
            record(work.session, current, "sop_created", Actor.of(principal), link)
    return article
