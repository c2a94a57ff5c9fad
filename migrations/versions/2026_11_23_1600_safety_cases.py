"""safety cases: cases, their linked tickets and timeline, referrals, per-tenant SLA policies

Revision ID: e2b4c6d8f0a1
Revises: d9f1a3b5c7e2
Create Date: 2026-11-23 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e2b4c6d8f0a1"
down_revision: str | None = "d9f1a3b5c7e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_sla_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_type", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "case_type IN ('csea', 'harassment', 'threats', 'fraud', 'self_harm', 'other')",
            name=op.f("ck_case_sla_policies_case_type_valid"),
        ),
        sa.CheckConstraint(
            "priority IN ('critical', 'high', 'medium', 'low')",
            name=op.f("ck_case_sla_policies_priority_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_case_sla_policies_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "case_type", "priority", name=op.f("pk_case_sla_policies")
        ),
    )
    op.create_table(
        "safety_cases",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("case_type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("sla_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_kind", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_name", sa.String(length=200), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "case_type IN ('csea', 'harassment', 'threats', 'fraud', 'self_harm', 'other')",
            name=op.f("ck_safety_cases_case_type_valid"),
        ),
        sa.CheckConstraint(
            "created_by_kind IN ('user', 'api_key', 'contact', 'system')",
            name=op.f("ck_safety_cases_created_by_kind_valid"),
        ),
        sa.CheckConstraint(
            "priority IN ('critical', 'high', 'medium', 'low')",
            name=op.f("ck_safety_cases_priority_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'investigating', 'escalated', 'referred', 'closed')",
            name=op.f("ck_safety_cases_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assignee_id"],
            ["users.tenant_id", "users.id"],
            name="fk_safety_cases_assignee",
            ondelete="SET NULL (assignee_id)",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_safety_cases_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_cases")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_safety_cases_tenant_id"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_safety_cases_tenant_number"),
    )
    op.create_index(
        "ix_safety_cases_status", "safety_cases", ["tenant_id", "status", "number"], unique=False
    )
    op.create_table(
        "case_tickets",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_case_tickets_case",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name="fk_case_tickets_ticket",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_case_tickets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_tickets")),
        sa.UniqueConstraint("case_id", "ticket_id", name="uq_case_tickets_case_ticket"),
    )
    op.create_index(
        "ix_case_tickets_ticket", "case_tickets", ["tenant_id", "ticket_id"], unique=False
    )
    op.create_table(
        "case_timeline",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "details", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'api_key', 'contact', 'system')",
            name=op.f("ck_case_timeline_actor_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_case_timeline_case",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_case_timeline_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_timeline")),
    )
    op.create_index(
        "ix_case_timeline_case", "case_timeline", ["case_id", "created_at"], unique=False
    )
    op.create_table(
        "referrals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference_number", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'pending_review', 'submitted', 'acknowledged')",
            name=op.f("ck_referrals_status_valid"),
        ),
        sa.CheckConstraint(
            "type IN ('nca', 'police', 'other')", name=op.f("ck_referrals_type_valid")
        ),
        sa.CheckConstraint(
            "urgency IN ('routine', 'urgent', 'emergency')", name=op.f("ck_referrals_urgency_valid")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_referrals_case",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_referrals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_referrals_tenant_id"),
    )
    op.create_index("ix_referrals_case", "referrals", ["tenant_id", "case_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_referrals_case", table_name="referrals")
    op.drop_table("referrals")
    op.drop_index("ix_case_timeline_case", table_name="case_timeline")
    op.drop_table("case_timeline")
    op.drop_index("ix_case_tickets_ticket", table_name="case_tickets")
    op.drop_table("case_tickets")
    op.drop_index("ix_safety_cases_status", table_name="safety_cases")
    op.drop_table("safety_cases")
    op.drop_table("case_sla_policies")
