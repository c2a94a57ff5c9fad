"""Reply drafts: written by AI from the ticket's public conversation and the tenant's most
relevant published articles, sent to the requester only once a person approves them.

- Only public messages enter the prompt: internal notes never reach text a requester may read.
- Approval must be a person's (an API key cannot approve), posts the reply (as drafted, or as
  the approver edited it) as a public comment by the approver, and resolves the ticket. What
  was changed is kept as an edit distance in words.
- A ticket has at most one draft awaiting approval (a unique index holds it under races)."""

import difflib
import uuid
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.assistant import STAYS_LOCAL, Call
from app.ai.contract import (
    Article,
    DraftRequest,
    Message,
    Purpose,
    Risk,
    TicketText,
    Tone,
)
from app.ai.models import Draft, DraftStatus
from app.ai.tenant_settings import settings_of
from app.auth.principal import Principal
from app.comments.models import AuthorKind, Comment
from app.comments.service import NewComment, add_comment
from app.events.models import EventType
from app.events.service import board_topic, ticket_topic
from app.journal import service as journal
from app.journal.change import Change, Live, Subject
from app.kit import validation
from app.kit.actors import Actor, ActorKind
from app.kit.errors import Conflict, Forbidden, HavenError, NotFound
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.knowledge import reading
from app.knowledge.repository import ArticleRepository
from app.services import Services
from app.tickets.models import Ticket, TicketStatus, TimelineEntry
from app.tickets.repository import TicketRepository
from app.tickets.service import announce_changes, apply_status, record

# The document: "Up to 5 relevant articles are injected into AI context per query".
ARTICLES = 5
# A whole ticket is a longer query than search is calibrated on (a question), and its cosine
# with the right article runs lower (0.15 for a harassment report against the harassment
# policy), so drafting takes what the help-centre search takes; the provider then uses only
# the articles whose sentences match the ticket (`articles_used`).
ARTICLE_THRESHOLD = 0.1
ARTICLE_CHARS = 6000
INSTRUCTIONS_MAX, REASON_MAX = 2000, 2000


class DraftRefused(HavenError):
    """The ticket cannot take a draft now (closed, or one already awaits approval)."""

    code: ClassVar[str] = "UNPROCESSABLE"
    http_status: ClassVar[int] = 422


@dataclass(frozen=True)
class DraftAsk:
    tone: Tone | None = None
    instructions: str | None = None


def csea_flagged(ticket: Ticket) -> bool:
    risks = (ticket.ai_classification or {}).get("risk_indicators", [])
    return ticket.category == Risk.CSEA_CONCERN or Risk.CSEA_CONCERN in risks


async def _pending(session: AsyncSession, ticket: Ticket) -> Draft | None:
    return await session.scalar(
        select(Draft).where(
            Draft.tenant_id == ticket.tenant_id,
            Draft.ticket_id == ticket.id,
            Draft.status == DraftStatus.PENDING_APPROVAL,
        )
    )


async def _draftable(session: AsyncSession, principal: Principal, ticket_id: uuid.UUID) -> Ticket:
    ticket = await TicketRepository(session, principal.tenant_id).get(ticket_id)
    if ticket is None:
        raise NotFound("Ticket")
    if ticket.status == TicketStatus.CLOSED:
        raise DraftRefused("The ticket is closed")
    if await _pending(session, ticket) is not None:
        raise DraftRefused("The ticket already has a draft awaiting approval")
    return ticket


async def _conversation(session: AsyncSession, ticket: Ticket) -> tuple[Message, ...]:
    rows = await session.scalars(
        select(Comment)
        .where(
            Comment.tenant_id == ticket.tenant_id,
            Comment.ticket_id == ticket.id,
            Comment.is_internal.is_(False),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    return tuple(
        Message(
            row.author_name or ("Requester" if row.author_kind == AuthorKind.CONTACT else "Agent"),
            row.body,
            from_requester=row.author_kind == AuthorKind.CONTACT,
        )
        for row in rows
    )


async def _articles(services: Services, principal: Principal, ticket: Ticket) -> list[Article]:
    query = f"{ticket.title}\n{ticket.description or ''}"[: reading.QUERY_MAX]
    try:
        found = await reading.find(
            services, principal, query, limit=ARTICLES, threshold=ARTICLE_THRESHOLD
        )
    except reading.SearchUnavailable:
        return []  # a draft without articles is still a start; its confidence says so
    return [
        Article(
            str(hit.article.id),
            hit.article.title,
            hit.article.content[:ARTICLE_CHARS],
            hit.similarity,
        )
        for hit in found.hits
    ]


async def create_draft(
    services: Services, principal: Principal, ticket_id: uuid.UUID, ask: DraftAsk
) -> Draft:
    if not principal.can_write:
        raise Forbidden("Viewers cannot draft replies")
    instructions = validation.name(ask.instructions, "instructions", INSTRUCTIONS_MAX) or ""
    async with services.db.read() as session:
        ticket = await _draftable(session, principal, ticket_id)
        messages = await _conversation(session, ticket)
        settings = await settings_of(session, principal.tenant_id)
    tone = ask.tone or Tone(settings.draft_tone)
    articles = await _articles(services, principal, ticket)
    request = DraftRequest(
        TicketText(ticket.title, ticket.description or "", ticket.source),
        messages,
        tone,
        instructions,
        settings.draft_prompt,
        settings.signature,
        tuple(articles),
    )
    call = Call(principal.tenant_id, Purpose.DRAFT, ticket.id)
    keep_local = STAYS_LOCAL if csea_flagged(ticket) and not settings.external_csea else None
    made, _ = await services.ai.run(call, lambda p: p.draft(request), keep_local=keep_local)
    used = [article for article in articles if article.id in made.articles_used]
    try:
        async with services.db.transaction() as work:
            current = await _draftable(work.session, principal, ticket_id)
            draft = Draft(
                tenant_id=principal.tenant_id,
                ticket_id=current.id,
                content=made.content,
                confidence=made.confidence,
                provider=made.made.provider,
                model=made.made.model,
                tokens_used=made.made.usage.input_tokens + made.made.usage.output_tokens,
                articles=[{"id": article.id, "title": article.title} for article in used],
                tone=tone,
                instructions=instructions,
                status=DraftStatus.PENDING_APPROVAL,
                **Actor.of(principal).as_columns("requested_by"),
            )
            work.session.add(draft)
            await work.session.flush()
            if used:
                await ArticleRepository(work.session, principal.tenant_id).mark_used(
                    [uuid.UUID(article.id) for article in used], utcnow()
                )
            await _journal(work.session, principal, current, draft, "draft_created")
    except IntegrityError:
        raise DraftRefused("The ticket already has a draft awaiting approval") from None
    return draft


async def drafts_of(
    session: AsyncSession, principal: Principal, ticket_id: uuid.UUID
) -> list[Draft]:
    """Drafts are the team's working text, like internal notes: viewers get none."""
    if await TicketRepository(session, principal.tenant_id).get(ticket_id) is None:
        raise NotFound("Ticket")
    if not principal.sees_internal:
        return []
    rows = await session.scalars(
        select(Draft)
        .where(Draft.tenant_id == principal.tenant_id, Draft.ticket_id == ticket_id)
        .order_by(Draft.created_at.desc(), Draft.id)
    )
    return list(rows)


async def _decidable(
    session: AsyncSession,
    principal: Principal,
    ticket_id: uuid.UUID | None,
    draft_id: uuid.UUID,
) -> tuple[Ticket, Draft]:
    """The draft awaiting a decision, locked with its ticket; `ticket_id` None means the
    draft's own ticket (GraphQL names the draft alone)."""
    if principal.kind != ActorKind.USER:
        raise Forbidden("A draft is approved or rejected by a person, not an API key")
    if not principal.can_write:
        raise Forbidden("Viewers cannot approve or reject drafts")
    wanted = select(Draft).where(Draft.tenant_id == principal.tenant_id, Draft.id == draft_id)
    if ticket_id is not None:
        wanted = wanted.where(Draft.ticket_id == ticket_id)
    draft = await session.scalar(wanted.with_for_update())
    if draft is None:
        raise NotFound("Ticket or draft")
    ticket = await TicketRepository(session, principal.tenant_id).get(
        draft.ticket_id, for_update=True
    )
    assert ticket is not None, "a draft's ticket exists: deleting it deletes the draft"
    if draft.status != DraftStatus.PENDING_APPROVAL:
        raise Conflict(f"The draft has already been {draft.status}")
    return ticket, draft


def edit_distance(drafted: str, sent: str) -> int:
    """Words inserted, deleted or replaced to turn the draft into what was sent."""
    before, after = drafted.split(), sent.split()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


async def approve_draft(
    session: AsyncSession,
    principal: Principal,
    ticket_id: uuid.UUID | None,
    draft_id: uuid.UUID,
    edits: str | None,
) -> tuple[Draft, Ticket]:
    ticket, draft = await _decidable(session, principal, ticket_id, draft_id)
    sent = validation.body(edits) if edits is not None else draft.content
    actor = Actor.of(principal)
    comment, ticket = await add_comment(
        session, principal.tenant_id, actor, NewComment(ticket.id, sent)
    )
    draft.status = DraftStatus.APPROVED
    draft.decided_by_id, draft.decided_by_name = principal.actor_id, principal.name
    draft.decided_at = utcnow()
    draft.sent_content = sent
    draft.edit_distance = edit_distance(draft.content, sent)
    draft.comment_id = comment.id
    if ticket.status != TicketStatus.RESOLVED:
        old = ticket.status
        apply_status(ticket, TicketStatus.RESOLVED)
        status = {"status": {"old": old, "new": TicketStatus.RESOLVED}}
        record(session, ticket, "status_changed", actor, status)
        await session.flush()
        await announce_changes(session, ticket, actor, status)
    await _journal(
        session, principal, ticket, draft, "draft_approved", edit_distance=draft.edit_distance
    )
    return draft, ticket


async def reject_draft(
    session: AsyncSession,
    principal: Principal,
    ticket_id: uuid.UUID | None,
    draft_id: uuid.UUID,
    reason: str | None,
) -> Draft:
    ticket, draft = await _decidable(session, principal, ticket_id, draft_id)
    draft.status = DraftStatus.REJECTED
    draft.decided_by_id, draft.decided_by_name = principal.actor_id, principal.name
    draft.decided_at = utcnow()
    draft.reject_reason = validation.name(reason, "reason", REASON_MAX)
    await _journal(session, principal, ticket, draft, "draft_rejected")
    return draft


@dataclass(frozen=True)
class _DraftTimeline:
    ticket: Ticket
    kind: str

    def rows(self, change: Change) -> list[TimelineEntry]:
        return [
            TimelineEntry(
                tenant_id=self.ticket.tenant_id,
                ticket_id=self.ticket.id,
                kind=self.kind,
                **change.actor.as_columns("actor"),
                changes=change.details or {},
            )
        ]


async def _journal(
    session: AsyncSession,
    principal: Principal,
    ticket: Ticket,
    draft: Draft,
    kind: str,
    **more: object,
) -> None:
    details = {"draftId": to_global_id("Draft", draft.id), "status": draft.status, **more}
    await journal.record(
        session,
        Change(
            tenant_id=principal.tenant_id,
            actor=Actor.of(principal),
            action=f"ticket.{kind}",
            subjects=[Subject("Ticket", to_global_id("Ticket", ticket.id))],
            details=details,
            timeline=[_DraftTimeline(ticket, kind)],
            # Drafts are the team's working text until approved: internal, like notes.
            live=Live(
                EventType(kind),
                [board_topic(ticket.board_id), ticket_topic(ticket.id)],
                {"changes": {"draft": details}},
                rows={"ticket": ticket},
                internal=True,
            ),
        ),
    )
