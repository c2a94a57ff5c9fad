import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, same_tenant
from app.tickets.categories import ReportCategory


class WidgetToken(RecordMixin, TenantMixin, Base):
    """Identifies a tenant to the report widget embedded in its own site or app."""

    __tablename__ = "widget_tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_widget_tokens_tenant_id"),
        Index("ix_widget_tokens_tenant_created", "tenant_id", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    # First characters of the token, kept so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # Sites allowed to post reports from a browser (`https://example.com`); empty means any.
    allowed_origins: Mapped[list[str]] = mapped_column(
        ARRAY(String(300)), default=list, server_default="{}"
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Report(RecordMixin, TenantMixin, Base):
    """What an end user of the tenant's platform reported, and the ticket it opened."""

    __tablename__ = "reports"
    __table_args__ = (
        same_tenant("ticket_id", "tickets", ondelete="CASCADE"),
        # A token of another tenant can never be recorded against this tenant's report.
        same_tenant(
            "widget_token_id",
            "widget_tokens",
            name="fk_reports_widget_token",
            ondelete="SET NULL (widget_token_id)",
        ),
        check_in("category", ReportCategory),
        Index("ix_reports_tenant_created", "tenant_id", "created_at"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    widget_token_id: Mapped[uuid.UUID | None]
    category: Mapped[str] = mapped_column(String(30))
    reporter_id: Mapped[str | None] = mapped_column(String(200))
    reported_user_id: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    content_ids: Mapped[list[str]] = mapped_column(
        ARRAY(String(100)), default=list, server_default="{}"
    )
    meta: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, default=dict, server_default="{}"
    )
