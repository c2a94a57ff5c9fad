"""What the AI layer stores: each tenant's AI settings, and a record of every AI call."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.ai.contract import Purpose, Tone
from app.kit.actors import ActorKind
from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    # Not sent: the plan's monthly AI calls are used up.
    OVER_QUOTA = "over_quota"


# Confidence at or above which triage fills the fields a ticket's creator left empty.
DEFAULT_APPLY_THRESHOLD = 0.7


class AISettings(UpdatedMixin, Base):
    """A tenant's choices for AI; a tenant without a row has the defaults."""

    __tablename__ = "ai_settings"
    __table_args__ = (check_in("draft_tone", Tone),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # Empty: the default categories (app.ai.categories). Each: {"name", "description"}.
    categories: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    apply_threshold: Mapped[float] = mapped_column(
        Float, default=DEFAULT_APPLY_THRESHOLD, server_default=str(DEFAULT_APPLY_THRESHOLD)
    )
    draft_tone: Mapped[str] = mapped_column(String(20), default=Tone.PROFESSIONAL)
    draft_prompt: Mapped[str] = mapped_column(Text, default="", server_default="")
    signature: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # CSEA-flagged text goes to an external provider only when the tenant said so.
    external_csea: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class AICall(RecordMixin, TenantMixin, Base):
    """One call to an AI provider (or one refused by the quota), for cost and trust."""

    __tablename__ = "ai_calls"
    __table_args__ = (
        check_in("purpose", Purpose),
        check_in("outcome", Outcome),
        Index("ix_ai_calls_tenant_created", "tenant_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL")
    )
    purpose: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(100))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(20))
    # Counted against the plan's monthly AI calls (every call people ask for; automatic
    # triage only when it reaches an external provider).
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class DraftStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


class Draft(RecordMixin, TenantMixin, Base):
    """A reply drafted by AI for a ticket. It reaches the requester only once a person approves
    it, as written or edited; what they changed is kept, so the team can see how much drafts
    need changing."""

    __tablename__ = "ticket_drafts"
    __table_args__ = (
        same_tenant("ticket_id", "tickets", ondelete="CASCADE"),
        check_in("status", DraftStatus),
        check_in("tone", Tone),
        check_in("requested_by_kind", ActorKind),
        Index("ix_ticket_drafts_ticket", "tenant_id", "ticket_id", "created_at"),
        # At most one draft of a ticket awaits approval.
        Index(
            "uq_ticket_drafts_pending",
            "ticket_id",
            unique=True,
            postgresql_where=text("status = 'pending_approval'"),
        ),
    )

    ticket_id: Mapped[uuid.UUID]
    content: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(100))
    tokens_used: Mapped[int] = mapped_column(Integer, default=0)
    # [{"id": "<uuid>", "title": "..."}]: the articles the draft relies on.
    articles: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    tone: Mapped[str] = mapped_column(String(20))
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DraftStatus.PENDING_APPROVAL)
    requested_by_kind: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[uuid.UUID | None]
    requested_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_by_id: Mapped[uuid.UUID | None]
    decided_by_name: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What was sent (the draft, or the approver's edit of it), and how far it was changed.
    sent_content: Mapped[str | None] = mapped_column(Text)
    edit_distance: Mapped[int | None] = mapped_column(Integer)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL")
    )
