import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.actors import ActorKind
from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


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
        UniqueConstraint("tenant_id", "id", name="uq_connector_actions_tenant_id"),
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
    # Four eyes: a second person approves each call before it is sent.
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class ConnectorSecret(RecordMixin, TenantMixin, UpdatedMixin, Base):
    """A named credential an action's headers use (`{{service_key}}`), sealed with the server
    key and bound to its connector and name; only the name and last four characters are shown."""

    __tablename__ = "connector_secrets"
    __table_args__ = (
        same_tenant("connector_id", "connectors", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "connector_id", "name", name="uq_connector_secrets_name"),
    )

    connector_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    last4: Mapped[str] = mapped_column(String(4))


class ExecutionStatus(StrEnum):
    REQUESTED = "requested"
    AWAITING_APPROVAL = "awaiting_approval"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ActionExecution(RecordMixin, TenantMixin, UpdatedMixin, Base):
    """One call of an outbound action, made from a case: what was asked, by whom, who
    approved it, and how the platform answered.

    The URL and body are filled in when it is requested, so an approver sees exactly what will
    be sent; header values are filled only when sending, as they hold sealed secrets."""

    __tablename__ = "connector_action_executions"
    __table_args__ = (
        same_tenant("case_id", "safety_cases", name="fk_action_executions_case"),
        same_tenant("action_id", "connector_actions", name="fk_action_executions_action"),
        check_in("status", ExecutionStatus),
        check_in("requested_by_kind", ActorKind),
        check_in("approved_by_kind", ActorKind),
        UniqueConstraint("idempotency_key", name="uq_action_executions_idempotency_key"),
        Index("ix_action_executions_case", "tenant_id", "case_id", "created_at"),
    )

    case_id: Mapped[uuid.UUID]
    action_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    variables: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    method: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_kind: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[uuid.UUID | None]
    requested_by_name: Mapped[str | None] = mapped_column(String(200))
    approved_by_kind: Mapped[str | None] = mapped_column(String(20))
    approved_by_id: Mapped[uuid.UUID | None]
    approved_by_name: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
