"""Safety cases, the tickets linked to them, their timeline, referrals and SLA policies."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, utcnow
from app.tickets.models import ActorKind, Priority


class CaseType(StrEnum):
    CSEA = "csea"
    HARASSMENT = "harassment"
    THREATS = "threats"
    FRAUD = "fraud"
    SELF_HARM = "self_harm"
    OTHER = "other"


class CaseStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    REFERRED = "referred"
    CLOSED = "closed"


class ReferralType(StrEnum):
    NCA = "nca"
    POLICE = "police"
    OTHER = "other"


class ReferralUrgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class ReferralStatus(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    WITHDRAWN = "withdrawn"


# A case has at most one of these at a time; a withdrawn referral frees it for a new one.
ACTIVE_REFERRAL = (
    ReferralStatus.DRAFT,
    ReferralStatus.PENDING_REVIEW,
    ReferralStatus.SUBMITTED,
    ReferralStatus.ACKNOWLEDGED,
)


class SafetyCase(RecordMixin, Base):
    __tablename__ = "safety_cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_safety_cases_tenant_number"),
        UniqueConstraint("tenant_id", "id", name="uq_safety_cases_tenant_id"),
        # The assignee belongs to the case's tenant, enforced by the database too.
        ForeignKeyConstraint(
            ["tenant_id", "assignee_id"],
            ["users.tenant_id", "users.id"],
            name="fk_safety_cases_assignee",
            ondelete="SET NULL (assignee_id)",
        ),
        check_in("case_type", CaseType),
        check_in("status", CaseStatus),
        check_in("priority", Priority),
        check_in("created_by_kind", ActorKind),
        Index("ix_safety_cases_status", "tenant_id", "status", "number"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(BigInteger)
    case_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    priority: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[uuid.UUID | None]
    sla_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[uuid.UUID | None]
    created_by_name: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), onupdate=utcnow
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseTicket(RecordMixin, Base):
    """A ticket linked to a case; both of the same tenant, enforced by the database."""

    __tablename__ = "case_tickets"
    __table_args__ = (
        UniqueConstraint("case_id", "ticket_id", name="uq_case_tickets_case_ticket"),
        ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_case_tickets_case",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name="fk_case_tickets_ticket",
            ondelete="CASCADE",
        ),
        Index("ix_case_tickets_ticket", "tenant_id", "ticket_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID]
    ticket_id: Mapped[uuid.UUID]


class CaseTimelineEntry(RecordMixin, Base):
    """One thing that happened to a case: by whom, why, and what changed."""

    __tablename__ = "case_timeline"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_case_timeline_case",
            ondelete="CASCADE",
        ),
        check_in("actor_kind", ActorKind),
        Index("ix_case_timeline_case", "case_id", "created_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class Referral(RecordMixin, Base):
    """A report of a case to an outside authority (the NCA, police)."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_referrals_tenant_id"),
        ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_referrals_case",
            ondelete="CASCADE",
        ),
        check_in("type", ReferralType),
        check_in("urgency", ReferralUrgency),
        check_in("status", ReferralStatus),
        Index("ix_referrals_case", "tenant_id", "case_id"),
        Index(
            "uq_referrals_active_case",
            "tenant_id",
            "case_id",
            unique=True,
            postgresql_where=text(
                "status IN ('draft', 'pending_review', 'submitted', 'acknowledged')"
            ),
        ),
        Index("ix_referrals_tenant_created", "tenant_id", "created_at", "id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    case_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reference_number: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    # Who the authority should contact, when not the submitting person.
    contact_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by_kind: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[uuid.UUID | None]
    created_by_name: Mapped[str | None] = mapped_column(String(200))
    submitted_by_kind: Mapped[str | None] = mapped_column(String(20))
    submitted_by_id: Mapped[uuid.UUID | None]
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The report as submitted, frozen with the referral (`app.referrals.nca`).
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class ReferralEvidence(Base):
    """An evidence item carried by a referral; fixed once the referral is submitted."""

    __tablename__ = "referral_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "referral_id"],
            ["referrals.tenant_id", "referrals.id"],
            name="fk_referral_evidence_referral",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "evidence_id"],
            ["evidence_items.tenant_id", "evidence_items.id"],
            name="fk_referral_evidence_item",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    referral_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    evidence_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class CaseSlaPolicy(Base):
    """A tenant's own response time for one case type and priority, overriding the default."""

    __tablename__ = "case_sla_policies"
    __table_args__ = (
        check_in("case_type", CaseType),
        check_in("priority", Priority),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    case_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    priority: Mapped[str] = mapped_column(String(20), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), onupdate=utcnow
    )
