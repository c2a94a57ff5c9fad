"""Ticket SLAs (policies and per-ticket clocks), notifications and their preferences

Revision ID: a9c1e3f5b7d0
Revises: f3a5c7e9b1d2
Create Date: 2026-12-08 00:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a9c1e3f5b7d0"
down_revision: str | None = "f3a5c7e9b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "kind IN ('assignment', 'mention', 'sla_warning', 'sla_breached', 'urgent')"


def _instant(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def _same_tenant(name: str, column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{table}.tenant_id", f"{table}.id"],
        name=name,
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "ticket_sla_policies",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("targets", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("always_open", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("work_days", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("day_start", sa.Time(), nullable=False),
        sa.Column("day_end", sa.Time(), nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date()), nullable=False, server_default="{}"),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        _tenant_fk("ticket_sla_policies"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_ticket_sla_policies")),
    )
    op.create_table(
        "ticket_slas",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        _instant("started_at", False),
        _instant("first_response_due_at", False),
        _instant("first_response_warn_at", False),
        _instant("resolution_due_at", False),
        _instant("resolution_warn_at", False),
        _instant("first_responded_at"),
        _instant("stopped_at"),
        sa.Column("stopped_minutes", sa.Float(), nullable=False, server_default="0"),
        _instant("first_response_warned_at"),
        _instant("first_response_breached_at"),
        _instant("resolution_warned_at"),
        _instant("resolution_breached_at"),
        _tenant_fk("ticket_slas"),
        _same_tenant("fk_ticket_slas_ticket", "ticket_id", "tickets"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_slas")),
    )
    op.create_index("ix_ticket_slas_first_response_warn", "ticket_slas", ["first_response_warn_at"])
    op.create_index("ix_ticket_slas_resolution_warn", "ticket_slas", ["resolution_warn_at"])
    _notifications()


def _notifications() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        _instant("read_at"),
        sa.CheckConstraint(KINDS, name=op.f("ck_notifications_kind_valid")),
        _tenant_fk("notifications"),
        _same_tenant("fk_notifications_recipient", "recipient_id", "users"),
        _same_tenant("fk_notifications_ticket", "ticket_id", "tickets"),
        _same_tenant("fk_notifications_case", "case_id", "safety_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_recipient", "notifications", ["tenant_id", "recipient_id", "created_at"]
    )
    op.create_table(
        "notification_preferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_notification_preferences_kind_valid")),
        _same_tenant("fk_notification_preferences_user", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preferences")),
    )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
    op.drop_table("ticket_slas")
    op.drop_table("ticket_sla_policies")
