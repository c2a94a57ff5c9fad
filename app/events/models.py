import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, utcnow


class EventType(StrEnum):
    TICKET_CREATED = "ticket_created"
    TICKET_UPDATED = "ticket_updated"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    COMMENT_ADDED = "comment_added"
    TICKET_RESOLVED = "ticket_resolved"
    TICKET_DELETED = "ticket_deleted"
    # AI triage made its suggestions (workflows trigger on it as `ticket.classified`).
    TICKET_CLASSIFIED = "ticket_classified"
    # A reply drafted by AI, and a person's decision on it (internal until approved).
    DRAFT_CREATED = "draft_created"
    DRAFT_APPROVED = "draft_approved"
    DRAFT_REJECTED = "draft_rejected"
    CASE_CREATED = "case_created"
    CASE_STATUS_CHANGED = "case_status_changed"
    CASE_ASSIGNED = "case_assigned"
    CASE_PRIORITY_CHANGED = "case_priority_changed"
    TICKET_LINKED = "ticket_linked"
    REFERRAL_CHANGED = "referral_changed"
    # A ticket's SLA target (first response or resolution) is near, or was missed.
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    # A notification for one team member, on their own topic only.
    NOTIFICATION_CREATED = "notification_created"
    # A call of a connector's action made from a case was asked for, approved, or answered.
    CONNECTOR_ACTION_CHANGED = "connector_action_changed"
    # Someone's access changed (key revoked, user deactivated or re-roled, sign-in revoked):
    # never delivered to subscribers; every process's hub reads it to end affected sockets.
    ACCESS_CHANGED = "access_changed"


class Event(Base):
    """Something that happened in a tenant, numbered by `seq` in commit order."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_topics", "topics", postgresql_using="gin"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Where subscribers find it: "board:<uuid>", "ticket:<uuid>", "case:<uuid>", and the case
    # queues "cases" (no CSEA cases) and "cases:all" (every case).
    topics: Mapped[list[str]] = mapped_column(ARRAY(String(80)))
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Internal events (internal notes) reach only those allowed to read internal notes.
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
