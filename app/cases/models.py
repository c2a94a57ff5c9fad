"""Safety cases, the tickets linked to them, their timeline and SLA policies."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.actors import ActorKind
from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant
from app.tickets.models import Priority


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


class SafetyCase(RecordMixin, TenantMixin, UpdatedMixin, Base):
    __tablename__ = "safety_cases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number", name="uq_safety_cases_tenant_number"),
        UniqueConstraint("tenant_id", "id", name="uq_safety_cases_tenant_id"),
        # The assignee belongs to the case's tenant, enforced by the database too.
        same_tenant(
            "assignee_id",
            "users",
            name="fk_safety_cases_assignee",
            ondelete="SET NULL (assignee_id)",
        ),
        check_in("case_type", CaseType),
        check_in("status", CaseStatus),
        check_in("priority", Priority),
        check_in("created_by_kind", ActorKind),
        Index("ix_safety_cases_status", "tenant_id", "status", "number"),
    )

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
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseTicket(RecordMixin, TenantMixin, Base):
    """A ticket linked to a case; both of the same tenant, enforced by the database."""

    __tablename__ = "case_tickets"
    __table_args__ = (
        UniqueConstraint("case_id", "ticket_id", name="uq_case_tickets_case_ticket"),
        same_tenant("case_id", "safety_cases", name="fk_case_tickets_case", ondelete="CASCADE"),
        same_tenant("ticket_id", "tickets", name="fk_case_tickets_ticket", ondelete="CASCADE"),
        Index("ix_case_tickets_ticket", "tenant_id", "ticket_id"),
    )

    case_id: Mapped[uuid.UUID]
    ticket_id: Mapped[uuid.UUID]


class CaseTimelineEntry(RecordMixin, TenantMixin, Base):
    """One thing that happened to a case: by whom, why, and what changed."""

    __tablename__ = "case_timeline"
    __table_args__ = (
        same_tenant("case_id", "safety_cases", name="fk_case_timeline_case", ondelete="CASCADE"),
        check_in("actor_kind", ActorKind),
        Index("ix_case_timeline_case", "case_id", "created_at"),
    )

    case_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class CaseSlaPolicy(UpdatedMixin, Base):
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
