import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, same_tenant


class ConnectorType(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    API = "api"


class ConnectorStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ERROR = "error"


class ActionType(StrEnum):
    SUSPEND_USER = "suspend_user"
    REMOVE_CONTENT = "remove_content"
    SEND_WARNING = "send_warning"
    RESTORE_CONTENT = "restore_content"


class HttpMethod(StrEnum):
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class Connector(RecordMixin, TenantMixin, Base):
    """A platform that sends Haven signed events and receives actions back."""

    __tablename__ = "connectors"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_connectors_tenant_id"),
        check_in("type", ConnectorType),
        check_in("status", ConnectorStatus),
        Index("ix_connectors_tenant_created", "tenant_id", "created_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=ConnectorStatus.ACTIVE)
    # Type-specific settings, never secrets: the signing secret is sealed in its own column.
    config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    # Verifying an HMAC needs the secret itself, so it is encrypted with the server key (bound
    # to this row's id) rather than hashed.
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    secret_last4: Mapped[str] = mapped_column(String(4))
    # After a rotation the old secret keeps verifying until this moment, so a platform can
    # switch over without dropping events.
    previous_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InboundMapping(RecordMixin, TenantMixin, Base):
    """How one event type's fields become ticket fields, for one connector."""

    __tablename__ = "connector_mappings"
    __table_args__ = (
        same_tenant("connector_id", "connectors", ondelete="CASCADE"),
        UniqueConstraint(
            "tenant_id", "connector_id", "event_type", name="uq_connector_mappings_event_type"
        ),
    )

    connector_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(60))
    # [{"source": "payload.reason", "target": "category", "transform": "map_category"}, ...]
    field_mappings: Mapped[list[dict[str, str]]] = mapped_column(JSONB)


class OutboundAction(RecordMixin, TenantMixin, Base):
    """A call Haven can make to the platform (suspend a user, remove content)."""

    __tablename__ = "connector_actions"
    __table_args__ = (
        same_tenant("connector_id", "connectors", ondelete="CASCADE"),
        check_in("action_type", ActionType),
        check_in("method", HttpMethod),
        Index("ix_connector_actions_connector", "tenant_id", "connector_id"),
    )

    connector_id: Mapped[uuid.UUID]
    action_type: Mapped[str] = mapped_column(String(30))
    endpoint: Mapped[str] = mapped_column(String(2000))
    method: Mapped[str] = mapped_column(String(10))
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")
    payload_template: Mapped[str] = mapped_column(Text)
