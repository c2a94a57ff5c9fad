"""connectors: platforms with sealed signing secrets, field mappings, actions; webhook receipts

Revision ID: c0a1e7d2b3f4
Revises: f35d39e16c5d
Create Date: 2026-11-23 14:33:41.565504+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c0a1e7d2b3f4"
down_revision: str | None = "f35d39e16c5d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("secret_last4", sa.String(length=4), nullable=False),
        sa.Column("previous_secret_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('active', 'inactive', 'error')", name=op.f("ck_connectors_status_valid")
        ),
        sa.CheckConstraint(
            "type IN ('webhook', 'email', 'api')", name=op.f("ck_connectors_type_valid")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_connectors_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connectors")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_connectors_tenant_id"),
    )
    op.create_index(
        "ix_connectors_tenant_created", "connectors", ["tenant_id", "created_at"], unique=False
    )
    op.create_table(
        "connector_actions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector_id", sa.Uuid(), nullable=False),
        sa.Column("action_type", sa.String(length=30), nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column(
            "headers", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("payload_template", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action_type IN ('suspend_user', 'remove_content', 'send_warning', 'restore_content')",
            name=op.f("ck_connector_actions_action_type_valid"),
        ),
        sa.CheckConstraint(
            "method IN ('POST', 'PUT', 'PATCH', 'DELETE')",
            name=op.f("ck_connector_actions_method_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connector_id"],
            ["connectors.tenant_id", "connectors.id"],
            name=op.f("fk_connector_actions_tenant_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_connector_actions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_actions")),
    )
    op.create_index(
        "ix_connector_actions_connector",
        "connector_actions",
        ["tenant_id", "connector_id"],
        unique=False,
    )
    op.create_table(
        "connector_mappings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connector_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("field_mappings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connector_id"],
            ["connectors.tenant_id", "connectors.id"],
            name=op.f("fk_connector_mappings_tenant_id_connectors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_connector_mappings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_mappings")),
        sa.UniqueConstraint(
            "tenant_id", "connector_id", "event_type", name="uq_connector_mappings_event_type"
        ),
    )
    op.create_table(
        "webhook_receipts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("connector_id", sa.Uuid(), nullable=True),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connector_id"],
            ["connectors.tenant_id", "connectors.id"],
            name="fk_webhook_receipts_connector",
            ondelete="SET NULL (connector_id)",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_receipts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "event_id", name=op.f("pk_webhook_receipts")),
    )
    op.add_column(
        "tickets", sa.Column("reporter_external_id", sa.String(length=200), nullable=True)
    )
    op.add_column("tickets", sa.Column("subject_external_id", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_tickets_subject_external", "tickets", ["tenant_id", "subject_external_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_subject_external", table_name="tickets")
    op.drop_column("tickets", "subject_external_id")
    op.drop_column("tickets", "reporter_external_id")
    op.drop_table("webhook_receipts")
    op.drop_table("connector_mappings")
    op.drop_index("ix_connector_actions_connector", table_name="connector_actions")
    op.drop_table("connector_actions")
    op.drop_index("ix_connectors_tenant_created", table_name="connectors")
    op.drop_table("connectors")
