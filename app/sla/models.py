import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, SmallInteger, String, Time
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, TenantMixin, UpdatedMixin, same_tenant


class TicketSlaPolicy(UpdatedMixin, Base):
    """A tenant's ticket targets and working calendar; without a row the defaults apply."""

    __tablename__ = "ticket_sla_policies"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # {"critical": {"first_response": minutes, "resolution": minutes}, ...}
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    always_open: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # ISO weekdays less one: Monday is 0.
    work_days: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    day_start: Mapped[time] = mapped_column(Time)
    day_end: Mapped[time] = mapped_column(Time)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list, server_default="{}")


class TicketSla(TenantMixin, Base):
    """One ticket's clocks. The `*_warned_at` and `*_breached_at` columns are set once, by the
    statement that claims them, so each warning and breach is announced exactly once."""

    __tablename__ = "ticket_slas"
    __table_args__ = (
        same_tenant("ticket_id", "tickets", name="fk_ticket_slas_ticket", ondelete="CASCADE"),
        Index("ix_ticket_slas_first_response_warn", "first_response_warn_at"),
        Index("ix_ticket_slas_resolution_warn", "resolution_warn_at"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_response_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_response_warn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolution_warn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set while the clocks stand still (waiting on the requester, resolved, closed); the
    # business minutes they stood still push every deadline back.
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stopped_minutes: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    first_response_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
