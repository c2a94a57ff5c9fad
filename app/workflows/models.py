"""Workflows, their runs, where each tenant's dispatcher stands in the event log, and whose
turn it is in each role's rotation."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
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

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


class ExecutionStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    RETRYING = "retrying"
    COMPLETED = "completed"
    FAILED = "failed"


class Workflow(RecordMixin, TenantMixin, UpdatedMixin, Base):
    """A trigger (an event and conditions on its record) and the ordered steps it runs.
    Mandatory workflows are Haven's own (`system_key`), present in every tenant."""

    __tablename__ = "workflows"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_workflows_tenant_id"),
        UniqueConstraint("tenant_id", "system_key", name="uq_workflows_tenant_system_key"),
        Index("ix_workflows_tenant_created", "tenant_id", "created_at", "id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger_event: Mapped[str] = mapped_column(String(40))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    system_key: Mapped[str | None] = mapped_column(String(60))
    executions_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_executed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkflowExecution(RecordMixin, TenantMixin, UpdatedMixin, Base):
    """One run of a workflow for one event of the log; the unique key makes a run happen once
    per triggering event however often the dispatcher or its job is retried."""

    __tablename__ = "workflow_executions"
    __table_args__ = (
        UniqueConstraint("workflow_id", "event_seq", name="uq_workflow_executions_event"),
        same_tenant(
            "workflow_id", "workflows", name="fk_workflow_executions_workflow", ondelete="CASCADE"
        ),
        check_in("status", ExecutionStatus),
        Index("ix_workflow_executions_workflow", "tenant_id", "workflow_id", "created_at", "id"),
    )

    workflow_id: Mapped[uuid.UUID]
    event_seq: Mapped[int] = mapped_column(BigInteger)
    trigger: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=ExecutionStatus.PENDING)
    # How many workflows' changes led to this run (0: a person's or a platform's event).
    depth: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The position in `steps` the run goes on from, so a retry never repeats a finished step.
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    # What the run is about and what its steps made (ticket_id, case_id), as ids.
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkflowCursor(Base):
    """The last event of the tenant's log the dispatcher has matched against workflows."""

    __tablename__ = "workflow_cursors"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class RoleRotation(Base):
    """Who a workflow last assigned among a role's members: the round robin goes on after."""

    __tablename__ = "workflow_role_rotations"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_user_id: Mapped[uuid.UUID | None]


class EventOrigin(Base):
    """An event a workflow's step wrote, and how deep in a chain of workflows that run was:
    the dispatcher never lets an event trigger the workflow that wrote it, and stops chains."""

    __tablename__ = "workflow_event_origins"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    workflow_id: Mapped[uuid.UUID]
    depth: Mapped[int] = mapped_column(Integer)
