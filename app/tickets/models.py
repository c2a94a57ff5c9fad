import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Float,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.actors import ActorKind
from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


class TicketStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Source(StrEnum):
    MANUAL = "manual"
    FORM = "form"
    EMAIL = "email"
    API = "api"
    CSV = "csv"
    WEBHOOK = "webhook"
    WIDGET = "widget"


class TriageStatus(StrEnum):
    """Where a ticket's AI triage stands: queued with the ticket, then done or given up."""

    PENDING = "pending"
    CLASSIFIED = "classified"
    FAILED = "failed"


class Ticket(RecordMixin, TenantMixin, UpdatedMixin, Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_tickets_tenant_number"),
        UniqueConstraint("tenant_id", "id", name="uq_tickets_tenant_id"),
        same_tenant("board_id", "boards", ondelete="CASCADE"),
        # Assignees and tickets must belong to the same tenant, enforced by the database too.
        same_tenant(
            "assignee_id",
            "users",
            name="fk_tickets_assignee",
            ondelete="SET NULL (assignee_id)",
        ),
        check_in("status", TicketStatus),
        check_in("priority", Priority),
        check_in("source", Source),
        check_in("triage_status", TriageStatus),
        same_tenant("merged_into_id", "tickets", name="fk_tickets_merged_into"),
        Index("ix_tickets_board_number", "tenant_id", "board_id", "number"),
        Index("ix_tickets_board_updated", "tenant_id", "board_id", "updated_at"),
        Index("ix_tickets_search", "search_vector", postgresql_using="gin"),
        Index("ix_tickets_subject_external", "tenant_id", "subject_external_id"),
    )

    board_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=TicketStatus.OPEN)
    priority: Mapped[str] = mapped_column(String(20), default=Priority.MEDIUM)
    category: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), default=Source.MANUAL)
    requester_name: Mapped[str | None] = mapped_column(String(200))
    requester_email: Mapped[str | None] = mapped_column(String(320), index=True)
    # Accounts on the tenant's own platform a report comes from and is about (webhooks, the
    # report widget), so a safety team can find every ticket about one account.
    reporter_external_id: Mapped[str | None] = mapped_column(String(200))
    subject_external_id: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[uuid.UUID | None]
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list, server_default="{}")
    meta: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, default=dict, server_default="{}"
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # AI triage: its suggestions as made (category, priority, sentiment, summary, reply, risk
    # indicators, provider, model) and the confidence in its category. No status: the ticket
    # came before triage did.
    triage_status: Mapped[str | None] = mapped_column(String(20), default=TriageStatus.PENDING)
    ai_classification: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ai_confidence: Mapped[float | None] = mapped_column(Float)
    # Set when the ticket was merged into another: it is closed, and its number leads there.
    merged_into_id: Mapped[uuid.UUID | None]
    # Raised for a safeguarding lead's eyes (a CSEA or self-harm indicator), until one clears it.
    safeguarding_flag: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "to_tsvector('simple', title || ' ' || coalesce(description, ''))", persisted=True
        ),
        deferred=True,
    )


class TimelineEntry(RecordMixin, TenantMixin, Base):
    """One change to a ticket: what changed (old and new values), by whom, when."""

    __tablename__ = "ticket_timeline"
    __table_args__ = (
        same_tenant("ticket_id", "tickets", ondelete="CASCADE"),
        check_in("actor_kind", ActorKind),
        Index("ix_ticket_timeline_ticket", "ticket_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
