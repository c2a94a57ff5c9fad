"""AI triage: tenants' AI settings, every AI call, and triage results on tickets

Revision ID: c6d8e0f2a4b6
Revises: b5c7d9e1f3a5
Create Date: 2026-12-07 23:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c6d8e0f2a4b6"
down_revision: str | None = "b5c7d9e1f3a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("triage_status", sa.String(20), nullable=True))
    op.add_column("tickets", sa.Column("ai_classification", postgresql.JSONB(), nullable=True))
    op.add_column("tickets", sa.Column("ai_confidence", sa.Float(), nullable=True))
    op.add_column(
        "tickets",
        sa.Column("safeguarding_flag", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("tickets", sa.Column("merged_into_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_tickets_merged_into",
        "tickets",
        "tickets",
        ["tenant_id", "merged_into_id"],
        ["tenant_id", "id"],
    )
    op.create_check_constraint(
        "triage_status_valid", "tickets", "triage_status IN ('pending', 'classified', 'failed')"
    )
    op.create_table(
        "ai_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("categories", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("apply_threshold", sa.Float(), nullable=False, server_default="0.7"),
        sa.Column("draft_tone", sa.String(20), nullable=False),
        sa.Column("draft_prompt", sa.Text(), nullable=False, server_default=""),
        sa.Column("signature", sa.String(200), nullable=False, server_default=""),
        sa.Column("external_csea", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.CheckConstraint(
            "draft_tone IN ('professional', 'empathetic', 'firm')",
            name=op.f("ck_ai_settings_draft_tone_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ai_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_ai_settings")),
    )
    op.create_table(
        "ai_calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_write_tokens", sa.Integer(), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.CheckConstraint(
            "purpose IN ('triage', 'draft', 'sop')", name=op.f("ck_ai_calls_purpose_valid")
        ),
        sa.CheckConstraint(
            "outcome IN ('ok', 'failed', 'over_quota')", name=op.f("ck_ai_calls_outcome_valid")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ai_calls_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ai_calls_ticket_id_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_calls")),
    )
    op.create_index("ix_ai_calls_tenant_created", "ai_calls", ["tenant_id", "created_at"])
    _drafts()


def _drafts() -> None:
    op.create_table(
        "ticket_drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("tokens_used", sa.Integer(), nullable=False),
        sa.Column("articles", postgresql.JSONB(), nullable=False),
        sa.Column("tone", sa.String(20), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_by_kind", sa.String(20), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_name", sa.String(200), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_content", sa.Text(), nullable=True),
        sa.Column("edit_distance", sa.Integer(), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending_approval', 'approved', 'rejected')",
            name=op.f("ck_ticket_drafts_status_valid"),
        ),
        sa.CheckConstraint(
            "tone IN ('professional', 'empathetic', 'firm')",
            name=op.f("ck_ticket_drafts_tone_valid"),
        ),
        sa.CheckConstraint(
            "requested_by_kind IN ('user', 'api_key', 'contact', 'system')",
            name=op.f("ck_ticket_drafts_requested_by_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ticket_drafts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name=op.f("fk_ticket_drafts_tenant_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_ticket_drafts_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_drafts")),
    )
    op.create_index(
        "ix_ticket_drafts_ticket", "ticket_drafts", ["tenant_id", "ticket_id", "created_at"]
    )
    op.create_index(
        "uq_ticket_drafts_pending",
        "ticket_drafts",
        ["ticket_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending_approval'"),
    )


def downgrade() -> None:
    op.drop_table("ticket_drafts")
    op.drop_index("ix_ai_calls_tenant_created", table_name="ai_calls")
    op.drop_table("ai_calls")
    op.drop_table("ai_settings")
    op.drop_constraint("ck_tickets_triage_status_valid", "tickets", type_="check")
    op.drop_constraint("fk_tickets_merged_into", "tickets", type_="foreignkey")
    for column in (
        "merged_into_id",
        "safeguarding_flag",
        "ai_confidence",
        "ai_classification",
        "triage_status",
    ):
        op.drop_column("tickets", column)
