"""widget reports: per-tenant widget embed tokens and the user reports they submit

Revision ID: a7d3c9e1f2b5
Revises: c0a1e7d2b3f4
Create Date: 2026-11-23 15:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a7d3c9e1f2b5"
down_revision: str | None = "c0a1e7d2b3f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "widget_tokens",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "allowed_origins",
            postgresql.ARRAY(sa.String(length=300)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_widget_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_widget_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_tokens")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_widget_tokens_tenant_id"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_widget_tokens_token_hash")),
    )
    op.create_index(
        "ix_widget_tokens_tenant_created",
        "widget_tokens",
        ["tenant_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "reports",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("widget_token_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("reporter_id", sa.String(length=200), nullable=True),
        sa.Column("reported_user_id", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "content_ids",
            postgresql.ARRAY(sa.String(length=100)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "category IN ('harassment', 'inappropriate_content', 'spam', 'scam', 'underage', "
            "'csea_concern', 'self_harm', 'other')",
            name=op.f("ck_reports_category_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name=op.f("fk_reports_tenant_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "widget_token_id"],
            ["widget_tokens.tenant_id", "widget_tokens.id"],
            name="fk_reports_widget_token",
            ondelete="SET NULL (widget_token_id)",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_reports_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_reports_ticket_id")),
    )
    op.create_index("ix_reports_tenant_created", "reports", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_tenant_created", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_widget_tokens_tenant_created", table_name="widget_tokens")
    op.drop_table("widget_tokens")
