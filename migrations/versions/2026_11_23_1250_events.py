"""events: the append-only event log and the per-tenant event counter

Revision ID: f35d39e16c5d
Revises: 5f2b8c1d9e04
Create Date: 2026-11-23 12:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f35d39e16c5d"
down_revision: str | None = "5f2b8c1d9e04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topics", postgresql.ARRAY(sa.String(length=80)), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name=op.f("pk_events")),
    )
    op.create_index("ix_events_topics", "events", ["topics"], unique=False, postgresql_using="gin")
    op.add_column(
        "tenants", sa.Column("event_seq", sa.BigInteger(), server_default="0", nullable=False)
    )
    # History is never rewritten: rows may only be added (and removed whole by retention).
    op.execute(
        """
        CREATE FUNCTION haven_events_are_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
        "FOR EACH ROW EXECUTE FUNCTION haven_events_are_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute("DROP FUNCTION haven_events_are_append_only()")
    op.drop_column("tenants", "event_seq")
    op.drop_index("ix_events_topics", table_name="events", postgresql_using="gin")
    op.drop_table("events")
