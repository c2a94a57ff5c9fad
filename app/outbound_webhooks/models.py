"""Endpoints that receive a tenant's events, the deliveries owed to them and every attempt.

Deliveries are written by a trigger on `events` (see the migration that made these tables), in
the transaction that wrote the event, so no code path that records a change can forget them."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


class EndpointFormat(StrEnum):
    """How a delivery is written: signed JSON, or a chat message for an incoming webhook."""

    STANDARD = "standard"
    SLACK = "slack"
    TEAMS = "teams"
    DISCORD = "discord"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    # Given up on: the endpoint was disabled. A replay makes it pending again.
    FAILED = "failed"


class WebhookEndpoint(RecordMixin, TenantMixin, UpdatedMixin, Base):
    """A URL that receives the tenant's events of the kinds it chose."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_webhook_endpoints_tenant_id"),
        check_in("format", EndpointFormat),
        Index("ix_webhook_endpoints_tenant_created", "tenant_id", "created_at"),
    )

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    events: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    format: Mapped[str] = mapped_column(String(20), default=EndpointFormat.STANDARD)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Signing needs the secret itself, so it is encrypted with the server key (bound to this
    # row's id) rather than hashed.
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    secret_last4: Mapped[str] = mapped_column(String(4))
    # After a rotation both secrets sign until this moment, so a receiver can switch over
    # without refusing a delivery.
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Since when every attempt has failed (None while the endpoint answers).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why Haven turned the endpoint off (410 Gone, days of failures); None when a person did.
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # One sender at a time per endpoint, so deliveries leave in order: whoever holds the lease
    # sends; a sender that died lets it lapse.
    lease_token: Mapped[uuid.UUID | None]
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(TenantMixin, Base):
    """One event owed to one endpoint under one documented name, in the event's `seq` order.
    Its id is the `webhook-id` every attempt carries, so a receiver can drop repeats."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        same_tenant("endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        # The event log's retention removes old deliveries with their events.
        ForeignKeyConstraint(
            ["tenant_id", "seq"],
            ["events.tenant_id", "events.seq"],
            name="fk_webhook_deliveries_event",
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "id", name="uq_webhook_deliveries_tenant_id"),
        check_in("status", DeliveryStatus),
        Index(
            "ix_webhook_deliveries_pending",
            "endpoint_id",
            "seq",
            "position",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_deliveries_endpoint_seq", "endpoint_id", "seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )
    endpoint_id: Mapped[uuid.UUID]
    seq: Mapped[int] = mapped_column(BigInteger)
    # Which of the event's names (an event may have two: `status_changed` and
    # `ticket_status_changed`), in the order they are sent.
    position: Mapped[int] = mapped_column(SmallInteger)
    event: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(
        String(20), default=DeliveryStatus.PENDING, server_default=DeliveryStatus.PENDING.value
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_status: Mapped[int | None] = mapped_column(SmallInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebhookAttempt(RecordMixin, TenantMixin, Base):
    """One try at a delivery: what came back and how long it took."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        same_tenant("delivery_id", "webhook_deliveries", ondelete="CASCADE"),
        Index("ix_webhook_attempts_delivery", "delivery_id", "number"),
    )

    delivery_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    latency_ms: Mapped[int] = mapped_column(Integer)
    # The first kilobyte of the answer, as text.
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
