"""Referrals of safety cases to outside authorities, and the evidence each one carries."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, same_tenant, utcnow


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


class Referral(RecordMixin, TenantMixin, Base):
    """A report of a case to an outside authority (the NCA, police)."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_referrals_tenant_id"),
        same_tenant("case_id", "safety_cases", name="fk_referrals_case", ondelete="CASCADE"),
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


class ReferralEvidence(TenantMixin, Base):
    """An evidence item carried by a referral; fixed once the referral is submitted."""

    __tablename__ = "referral_evidence"
    __table_args__ = (
        same_tenant("referral_id", "referrals", name="fk_referral_evidence_referral"),
        same_tenant("evidence_id", "evidence_items", name="fk_referral_evidence_item"),
    )

    referral_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    evidence_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
