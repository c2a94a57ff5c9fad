"""GraphQL types of the AI layer."""

import uuid
from datetime import datetime
from typing import Any

import strawberry

from app.ai.contract import Risk, Sentiment, Tone
from app.ai.models import AISettings, Draft, DraftStatus
from app.ai.tenant_settings import categories_of
from app.kit.ids import to_global_id
from app.tickets.enums import Priority

strawberry.enum(Risk, name="RiskIndicator", description="A signal a safeguarding lead must see.")
strawberry.enum(Sentiment, name="Sentiment", description="How the requester comes across.")
strawberry.enum(Tone, name="DraftTone", description="The tone of a drafted reply.")


@strawberry.type(name="PossibleDuplicate", description="An open ticket likely the same issue.")
class PossibleDuplicateType:
    id: strawberry.ID = strawberry.field(description="The other ticket's global id.")
    number: int = strawberry.field(description="Its number.")
    title: str = strawberry.field(description="Its title.")
    similarity: float = strawberry.field(description="Word overlap of the two texts, 0-1.")
    same_requester: bool = strawberry.field(description="Written by the same requester.")


@strawberry.type(name="AIClassification", description="What AI triage suggested, as made.")
class AIClassificationType:
    category: str = strawberry.field(description="Suggested category (the tenant's).")
    confidence: float = strawberry.field(description="Probability the category is right, 0-1.")
    priority: Priority = strawberry.field(description="Suggested priority.")
    sentiment: Sentiment = strawberry.field(description="The requester's tone.")
    summary: str = strawberry.field(description="One line.")
    suggested_reply: str = strawberry.field(description="A reply to start from.")
    risk_indicators: list[Risk] = strawberry.field(description="Safeguarding signals found.")
    provider: str = strawberry.field(description="`local` (offline, in Haven) or `anthropic`.")
    model: str = strawberry.field(description="The model that made it.")
    fallback_reason: str | None = strawberry.field(
        description="Why the configured external provider did not answer, when it did not."
    )
    possible_duplicates: list[PossibleDuplicateType] = strawberry.field(
        description="Open tickets likely the same issue; merge with `mergeTickets`."
    )

    @classmethod
    def of(cls, stored: dict[str, Any]) -> "AIClassificationType":
        return cls(
            category=stored["category"],
            confidence=stored["confidence"],
            priority=Priority(stored["priority"]),
            sentiment=Sentiment(stored["sentiment"]),
            summary=stored["summary"],
            suggested_reply=stored["suggested_reply"],
            risk_indicators=[Risk(risk) for risk in stored["risk_indicators"]],
            provider=stored["provider"],
            model=stored["model"],
            fallback_reason=stored.get("fallback_reason"),
            possible_duplicates=[
                PossibleDuplicateType(**{**found, "id": strawberry.ID(found["id"])})
                for found in stored.get("possible_duplicates", [])
            ],
        )


@strawberry.type(name="TicketCategory", description="One of the tenant's ticket categories.")
class CategoryType:
    name: str = strawberry.field(description="As stored on tickets.")
    description: str = strawberry.field(description="What it covers, for triage.")


@strawberry.input(description="A ticket category for triage to choose from.")
class CategoryInput:
    name: str = strawberry.field(description="As stored on tickets, 1 to 100 characters.")
    description: str = strawberry.field(default="", description="What it covers.")


@strawberry.type(name="AISettings", description="How AI works for this tenant.")
class AISettingsType:
    categories: list[CategoryType] = strawberry.field(
        description="What triage chooses from (the defaults when none were set)."
    )
    uses_default_categories: bool = strawberry.field(description="No categories were set.")
    apply_threshold: float = strawberry.field(
        description="Confidence at which triage fills a priority or category left empty."
    )
    draft_tone: Tone = strawberry.field(description="Drafts' tone unless one is asked for.")
    draft_prompt: str = strawberry.field(description="Standing guidance for drafted replies.")
    signature: str = strawberry.field(description="How drafted replies are signed.")
    external_csea: bool = strawberry.field(
        description="CSEA-flagged text may go to an external AI provider (off by default)."
    )
    provider: str = strawberry.field(description="The external provider in use, or `local`.")
    calls_left_this_month: int | None = strawberry.field(
        description="AI calls the plan still allows this month; null when unlimited."
    )

    @classmethod
    def of(cls, row: AISettings, provider: str, left: int | None) -> "AISettingsType":
        return cls(
            categories=[
                CategoryType(name=c.name, description=c.description) for c in categories_of(row)
            ],
            uses_default_categories=not row.categories,
            apply_threshold=row.apply_threshold,
            draft_tone=Tone(row.draft_tone),
            draft_prompt=row.draft_prompt,
            signature=row.signature,
            external_csea=row.external_csea,
            provider=provider,
            calls_left_this_month=left,
        )


@strawberry.input(description="AI settings to change; what is left out stays as it is.")
class UpdateAISettingsInput:
    categories: list[CategoryInput] | None = strawberry.field(
        default=None, description="Replaces the list; an empty list restores the defaults."
    )
    apply_threshold: float | None = strawberry.field(default=None, description="0 to 1.")
    draft_tone: Tone | None = strawberry.field(default=None, description="Drafts' tone.")
    draft_prompt: str | None = strawberry.field(default=None, description="Up to 4,000 characters.")
    signature: str | None = strawberry.field(default=None, description="Up to 200 characters.")
    external_csea: bool | None = strawberry.field(
        default=None, description="Allow CSEA-flagged text to reach an external provider."
    )


strawberry.enum(DraftStatus, name="DraftStatus", description="Where an AI draft stands.")


@strawberry.type(name="KnowledgeArticleUsed", description="An article a draft relies on.")
class ArticleUsedType:
    id: strawberry.ID = strawberry.field(description="The article's global id.")
    title: str = strawberry.field(description="Its title when the draft was made.")


@strawberry.type(name="Draft", description="A reply drafted by AI, sent only once approved.")
class DraftType:
    id: strawberry.ID = strawberry.field(description="Global id (`drf_...`).")
    ticket_id: strawberry.ID = strawberry.field(description="The ticket it answers.")
    content: str = strawberry.field(description="The drafted reply.")
    confidence: float = strawberry.field(description="How well the articles cover it, 0-1.")
    provider: str = strawberry.field(description="`local` or `anthropic`.")
    model: str = strawberry.field(description="The model that wrote it.")
    tokens_used: int = strawberry.field(description="Input and output tokens.")
    knowledge_articles_used: list[ArticleUsedType] = strawberry.field(
        description="The articles it relies on."
    )
    tone: Tone = strawberry.field(description="The tone asked for.")
    status: DraftStatus = strawberry.field(description="Awaiting approval, approved, rejected.")
    decided_by_name: str | None = strawberry.field(description="Who approved or rejected it.")
    decided_at: datetime | None = strawberry.field(description="When.")
    sent_content: str | None = strawberry.field(description="What was sent, edits included.")
    edit_distance: int | None = strawberry.field(
        description="Words the approver changed before sending."
    )
    reject_reason: str | None = strawberry.field(description="Why it was rejected.")
    created_at: datetime = strawberry.field(description="When it was drafted.")

    @classmethod
    def of(cls, row: Draft) -> "DraftType":
        return cls(
            id=strawberry.ID(to_global_id("Draft", row.id)),
            ticket_id=strawberry.ID(to_global_id("Ticket", row.ticket_id)),
            content=row.content,
            confidence=row.confidence,
            provider=row.provider,
            model=row.model,
            tokens_used=row.tokens_used,
            knowledge_articles_used=[
                ArticleUsedType(
                    id=strawberry.ID(to_global_id("KnowledgeArticle", uuid.UUID(article["id"]))),
                    title=article["title"],
                )
                for article in row.articles
            ],
            tone=Tone(row.tone),
            status=DraftStatus(row.status),
            decided_by_name=row.decided_by_name,
            decided_at=row.decided_at,
            sent_content=row.sent_content,
            edit_distance=row.edit_distance,
            reject_reason=row.reject_reason,
            created_at=row.created_at,
        )


@strawberry.input(description="Ask AI to draft a reply to a ticket.")
class DraftReplyInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket.")
    tone: Tone | None = strawberry.field(default=None, description="Else the tenant's default.")
    instructions: str | None = strawberry.field(
        default=None, description="Extra guidance for this draft, up to 2,000 characters."
    )


@strawberry.input(description="Approve a draft: it is sent, and the ticket resolved.")
class ApproveDraftInput:
    draft_id: strawberry.ID = strawberry.field(description="The draft.")
    edits: str | None = strawberry.field(
        default=None, description="The reply to send instead of the draft as written."
    )


@strawberry.input(description="Reject a draft; nothing is sent.")
class RejectDraftInput:
    draft_id: strawberry.ID = strawberry.field(description="The draft.")
    reason: str | None = strawberry.field(default=None, description="Why, for the team.")


@strawberry.type(description="A draft after the mutation.")
class DraftPayload:
    draft: DraftType = strawberry.field(description="The draft as it is now.")


@strawberry.type(description="The AI settings after the change.")
class AISettingsPayload:
    settings: AISettingsType = strawberry.field(description="The settings as they are now.")


@strawberry.input(description="The resolved ticket to turn into a procedure.")
class TicketToSopInput:
    ticket_id: strawberry.ID = strawberry.field(description="A resolved or closed ticket.")
