"""connector action executions: calls of outbound actions made from cases, four-eyes actions,
and named sealed secrets for action headers

Revision ID: b4d6f8a0c2e4
Revises: a9c1e3f5b7d0
Create Date: 2026-12-08 01:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b4d6f8a0c2e4"
down_revision: str | None = "a9c1e3f5b7d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR_KINDS = "('user', 'api_key', 'contact', 'system')"
STATUSES = "('requested', 'awaiting_approval', 'running', 'succeeded', 'failed')"


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _tenant_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column(
        "connector_actions",
        sa.Column("requires_approval", sa.Boolean(), server_default="false", nullable=False),
    )
    op.create_unique_constraint(
        "uq_connector_actions_tenant_id", "connector_actions", ["tenant_id", "id"]
    )
    op.create_table(
        "connector_secrets",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("last4", sa.String(length=4), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connector_id"],
            ["connectors.tenant_id", "connectors.id"],
            name=op.f("fk_connector_secrets_tenant_id_connectors"),
            ondelete="CASCADE",
        ),
        _tenant_key("connector_secrets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_secrets")),
        sa.UniqueConstraint("tenant_id", "connector_id", "name", name="uq_connector_secrets_name"),
    )
    op.create_table(
        "connector_action_executions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "variables",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_kind", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=True),
        sa.Column("approved_by_kind", sa.String(length=20), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by_name", sa.String(length=200), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            f"status IN {STATUSES}", name=op.f("ck_connector_action_executions_status_valid")
        ),
        sa.CheckConstraint(
            f"requested_by_kind IN {ACTOR_KINDS}",
            name=op.f("ck_connector_action_executions_requested_by_kind_valid"),
        ),
        sa.CheckConstraint(
            f"approved_by_kind IN {ACTOR_KINDS}",
            name=op.f("ck_connector_action_executions_approved_by_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_action_executions_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "action_id"],
            ["connector_actions.tenant_id", "connector_actions.id"],
            name="fk_action_executions_action",
        ),
        _tenant_key("connector_action_executions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_action_executions")),
        sa.UniqueConstraint("idempotency_key", name="uq_action_executions_idempotency_key"),
    )
    op.create_index(
        "ix_action_executions_case",
        "connector_action_executions",
        ["tenant_id", "case_id", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_action_executions_case", table_name="connector_action_executions")
    op.drop_table("connector_action_executions")
    op.drop_table("connector_secrets")
    op.drop_constraint("uq_connector_actions_tenant_id", "connector_actions", type_="unique")
    op.drop_column("connector_actions", "requires_approval")
