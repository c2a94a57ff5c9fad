"""workflows: definitions, runs, the dispatcher's cursor per tenant and role rotations; a
trigger on events queues the tenant's dispatch in the event's own transaction

Revision ID: f3a5c7e9b1d2
Revises: e8f0a2b4c6d8
Create Date: 2026-12-08 00:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f3a5c7e9b1d2"
down_revision: str | None = "e8f0a2b4c6d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One dispatch job per tenant that wrote events, queued with them: it exists exactly when they
# commit. The dedupe key keeps one waiting job per tenant; while one runs, a new event finds
# its key taken and is read by that run's next pass or by the minute's sweep.
DISPATCH = """
CREATE FUNCTION workflow_dispatch_for_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pgqueuer (priority, entrypoint, payload, status, execute_after, dedupe_key)
  SELECT 0, 'workflow_dispatch',
    convert_to(json_build_object('tenant_id', tenant_id)::text, 'UTF8'), 'queued', now(),
    'workflow_dispatch:' || tenant_id
  FROM (SELECT DISTINCT tenant_id FROM added) AS tenants
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$
"""
TRIGGER = """
CREATE TRIGGER events_workflow_dispatch AFTER INSERT ON events
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION workflow_dispatch_for_events()
"""


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _workflows() -> None:
    op.create_table(
        "workflows",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("trigger_event", sa.String(40), nullable=False),
        sa.Column("conditions", postgresql.JSONB(), nullable=False),
        sa.Column("steps", postgresql.JSONB(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("system_key", sa.String(60), nullable=True),
        sa.Column("executions_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_workflows_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workflows"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_workflows_tenant_id"),
        sa.UniqueConstraint("tenant_id", "system_key", name="uq_workflows_tenant_system_key"),
    )
    op.create_index("ix_workflows_tenant_created", "workflows", ["tenant_id", "created_at", "id"])


def _executions() -> None:
    op.create_table(
        "workflow_executions",
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_step", sa.Integer(), nullable=False),
        sa.Column("context", postgresql.JSONB(), nullable=False),
        sa.Column("log", postgresql.JSONB(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'retrying', 'completed', 'failed')",
            name="ck_workflow_executions_status_valid",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_workflow_executions_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "workflow_id"],
            ["workflows.tenant_id", "workflows.id"],
            name="fk_workflow_executions_workflow",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_executions"),
        sa.UniqueConstraint("workflow_id", "event_seq", name="uq_workflow_executions_event"),
    )
    op.create_index(
        "ix_workflow_executions_workflow",
        "workflow_executions",
        ["tenant_id", "workflow_id", "created_at", "id"],
    )


def _positions() -> None:
    op.create_table(
        "workflow_cursors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_workflow_cursors_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_workflow_cursors"),
    )
    op.create_table(
        "workflow_role_rotations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("last_user_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_workflow_role_rotations_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "role", name="pk_workflow_role_rotations"),
    )
    op.create_table(
        "workflow_event_origins",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_workflow_event_origins_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name="pk_workflow_event_origins"),
    )
    # Tenants of today start from where their log stands: workflows act on what happens from
    # now on, not on years of history.
    op.execute("INSERT INTO workflow_cursors (tenant_id, seq) SELECT id, event_seq FROM tenants")


def upgrade() -> None:
    _workflows()
    _executions()
    _positions()
    op.execute(DISPATCH)
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER events_workflow_dispatch ON events")
    op.execute("DROP FUNCTION workflow_dispatch_for_events()")
    op.drop_table("workflow_event_origins")
    op.drop_table("workflow_role_rotations")
    op.drop_table("workflow_cursors")
    op.drop_table("workflow_executions")
    op.drop_table("workflows")
