import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, same_tenant


class NotificationKind(StrEnum):
    ASSIGNMENT = "assignment"
    MENTION = "mention"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    URGENT = "urgent"


class Notification(RecordMixin, TenantMixin, Base):
    """Something one team member is told, in the app, by mail, or both (as they prefer)."""

    __tablename__ = "notifications"
    __table_args__ = (
        same_tenant("recipient_id", "users", name="fk_notifications_recipient", ondelete="CASCADE"),
        same_tenant("ticket_id", "tickets", name="fk_notifications_ticket", ondelete="CASCADE"),
        same_tenant("case_id", "safety_cases", name="fk_notifications_case", ondelete="CASCADE"),
        check_in("kind", NotificationKind),
        Index("ix_notifications_recipient", "tenant_id", "recipient_id", "created_at"),
    )

    recipient_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[uuid.UUID | None]
    case_id: Mapped[uuid.UUID | None]
    # Shown in the app (and delivered live) and/or mailed, as the recipient prefers.
    in_app: Mapped[bool] = mapped_column(Boolean)
    emailed: Mapped[bool] = mapped_column(Boolean)
    # The event that delivered it live, so a live stream resumes by the event log's cursor.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(Base):
    """How one person wants one kind of notification; without a row the defaults apply."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        same_tenant(
            "user_id", "users", name="fk_notification_preferences_user", ondelete="CASCADE"
        ),
        check_in("kind", NotificationKind),
    )

    tenant_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    in_app: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[bool] = mapped_column(Boolean)
