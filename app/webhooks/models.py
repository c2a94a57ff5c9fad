import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.models import Base, same_tenant, utcnow


class WebhookReceipt(Base):
    """One platform event, received once: its `event_id` is the key that makes retries and
    concurrent duplicates safe. The event is kept as sent, for evidence and for replays."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (
        same_tenant(
            "connector_id",
            "connectors",
            name="fk_webhook_receipts_connector",
            ondelete="SET NULL (connector_id)",
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    connector_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # No foreign key: the receipt outlives a deleted ticket, and a retry of the event must
    # still be answered with the ticket it made.
    ticket_id: Mapped[uuid.UUID]
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
