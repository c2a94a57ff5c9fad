"""Bodies of `POST /functions/v1/ai-proxy`, in the shapes the Grahm document shows: values as it
writes them (`High`, `Frustrated`), with what a support lead needs to trust an answer (the
confidence, risk indicators, and which provider and model made it) added after them."""

import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from app.ai.contract import Sop, Triage
from app.ai.models import Draft
from app.kit.attributes import from_attributes
from app.rest.types import ArticleId, Body, DraftId, TicketId, Timestamp, UserId
from app.tickets.models import TicketStatus

TITLE_MAX, TEXT_MAX, COMMENTS_MAX, AUTHOR_MAX = 300, 20_000, 100, 200

TRIAGE_REQUEST = {
    "action": "ticket-triage",
    "title": "VPN not connecting",
    "description": "Cannot connect from home office since this morning",
}
SOP_REQUEST = {
    "action": "ticket-to-sop",
    "title": "VPN Connection Troubleshooting",
    "description": "Steps to fix VPN connectivity issues...",
    "comments": [{"author": "Agent", "body": "Restarted VPN service..."}],
}


class ProxyComment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: str = Field(default="", max_length=AUTHOR_MAX)
    body: str = Field(min_length=1, max_length=TEXT_MAX)


class ProxyRequest(BaseModel):
    """Unknown fields are refused, so a misspelt one is not silently ignored."""

    model_config = ConfigDict(extra="forbid")
    MESSAGES: ClassVar[dict[str, str]] = {
        "action": "action must be ticket-triage or ticket-to-sop",
        "title": f"title must be a string of 1 to {TITLE_MAX} characters",
        "title.missing": "title is required",
        "description": f"description must be a string of at most {TEXT_MAX} characters",
        "comments": f"comments must be a list of at most {COMMENTS_MAX} "
        "{author, body} objects, each body 1 to 20,000 characters",
    }

    action: Literal["ticket-triage", "ticket-to-sop"]
    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
    description: Annotated[str, Field(max_length=TEXT_MAX)] = ""
    comments: Annotated[list[ProxyComment], Field(max_length=COMMENTS_MAX)] = []


def _title(value: str) -> str:
    return value.replace("_", " ").capitalize()


class TriageAnswer(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "priority": "High",
                "category": "technical",
                "sentiment": "Frustrated",
                "summary": "User unable to connect to company VPN from home since this morning.",
                "suggested_reply": "Hi, thank you for reporting this...",
                "confidence": 0.83,
                "risk_indicators": [],
                "provider": "local",
                "model": "local/haven-rules-1",
            }
        }
    )

    priority: Literal["Critical", "High", "Medium", "Low"]
    category: str = Field(description="One of the tenant's categories")
    sentiment: Literal["Positive", "Neutral", "Frustrated", "Angry", "Distressed"]
    summary: str
    suggested_reply: str
    confidence: float = Field(ge=0, le=1, description="Probability the category is right")
    risk_indicators: list[str] = Field(
        description="Of `self_harm`, `threats`, `csea_concern`, `fraud`"
    )
    provider: str
    model: str

    @classmethod
    def of(cls, found: Triage) -> "TriageAnswer":
        values: dict[str, Any] = {
            "priority": _title(found.priority),
            "category": found.category,
            "sentiment": _title(found.sentiment),
            "summary": found.summary,
            "suggested_reply": found.suggested_reply,
            "confidence": found.confidence,
            "risk_indicators": [risk.value for risk in found.risks],
            "provider": found.made.provider,
            "model": found.made.model,
        }
        return cls(**values)


class SopAnswer(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "title": "How to troubleshoot VPN connections",
                "applies_when": "A user cannot connect to the VPN.",
                "steps": ["Restart the VPN service."],
                "escalation": "Escalate to the network team if the service will not start.",
                "markdown": "# How to troubleshoot VPN connections\n...",
                "provider": "local",
                "model": "local/haven-rules-1",
            }
        }
    )

    title: str
    applies_when: str
    steps: list[str]
    escalation: str
    markdown: str = Field(description="The procedure as a knowledge-base article's content")
    provider: str
    model: str

    @classmethod
    def of(cls, found: Sop, markdown: str) -> "SopAnswer":
        return cls(
            title=found.title,
            applies_when=found.applies_when,
            steps=list(found.steps),
            escalation=found.escalation,
            markdown=markdown,
            provider=found.made.provider,
            model=found.made.model,
        )


class ProxyAnswer(RootModel[TriageAnswer | SopAnswer]):
    """The triage for `ticket-triage`, the procedure for `ticket-to-sop`."""


DRAFT_ID = "drf_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"
DRAFT_TICKET_ID = "tkt_3a2b1c0d-9e8f-7a6b-5c4d-3e2f1a0b9c8d"


class DraftCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"tone": "empathetic", "instructions": "Reference our community guidelines"}
        },
    )
    MESSAGES: ClassVar[dict[str, str]] = {
        "tone": "tone must be professional, empathetic or firm",
        "instructions": "instructions must be a string of at most 2,000 characters",
    }

    tone: Literal["professional", "empathetic", "firm"] | None = None
    instructions: Annotated[str, Field(max_length=2000)] | None = None


class ArticleUsed(Body):
    id: ArticleId
    title: str


class DraftBody(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": DRAFT_ID,
                "ticket_id": DRAFT_TICKET_ID,
                "content": "Hi there,\n\nThank you for reaching out to us about this...",
                "confidence": 0.88,
                "model": "claude-sonnet-4-20250514",
                "provider": "anthropic",
                "tokens_used": 342,
                "knowledge_articles_used": [
                    {
                        "id": "ka_b1c2d3e4-f5a6-7b8c-9d0e-f1a2b3c4d5e6",
                        "title": "Community Guidelines — Harassment Policy",
                    }
                ],
                "status": "pending_approval",
                "created_at": "2026-04-02T14:35:12.789Z",
            }
        }
    )

    id: DraftId
    ticket_id: TicketId
    content: str
    confidence: float = Field(ge=0, le=1)
    model: str
    provider: str
    tokens_used: int = Field(ge=0)
    knowledge_articles_used: list[ArticleUsed]
    status: Literal["pending_approval", "approved", "rejected"]
    created_at: Timestamp

    @classmethod
    def of(cls, draft: Draft) -> "DraftBody":
        return from_attributes(
            cls,
            draft,
            knowledge_articles_used=[
                ArticleUsed(id=uuid.UUID(article["id"]), title=article["title"])
                for article in draft.articles
            ],
        )


class DraftApproval(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {}})
    MESSAGES: ClassVar[dict[str, str]] = {
        "edits": "edits must be a non-empty string: the reply to send instead of the draft",
    }

    edits: Annotated[str, Field(min_length=1)] | None = None


class DraftApproved(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": DRAFT_ID,
                "status": "approved",
                "approved_by": "usr_c4d5e6f7-a8b9-0c1d-2e3f-4a5b6c7d8e9f",
                "approved_at": "2026-04-02T14:40:05.321Z",
                "ticket_status": "resolved",
            }
        }
    )

    id: DraftId
    status: Literal["approved"]
    approved_by: UserId
    approved_at: Timestamp
    ticket_status: TicketStatus


class DraftRejection(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"example": {"reason": "Wrong policy cited"}}
    )
    MESSAGES: ClassVar[dict[str, str]] = {
        "reason": "reason must be a string of at most 2,000 characters",
    }

    reason: Annotated[str, Field(max_length=2000)] | None = None


class DraftRejected(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": DRAFT_ID,
                "status": "rejected",
                "rejected_by": "usr_c4d5e6f7-a8b9-0c1d-2e3f-4a5b6c7d8e9f",
                "rejected_at": "2026-04-02T14:40:05.321Z",
                "reason": "Wrong policy cited",
            }
        }
    )

    id: DraftId
    status: Literal["rejected"]
    rejected_by: UserId
    rejected_at: Timestamp
    reason: str | None


class DraftList(Body):
    data: list[DraftBody]
