"""referrals: the workflow's columns, the evidence each referral carries, and immutability

Revision ID: a4b6c8d0e2f3
Revises: f3c5e7a9b1d2
Create Date: 2026-11-23 16:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a4b6c8d0e2f3"
down_revision: str | None = "f3c5e7a9b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status IN ('draft', 'pending_review', 'submitted', 'acknowledged')"
FILED = "('submitted', 'acknowledged')"
# Everything but these stays as it was when a submitted referral is acknowledged.
ACKNOWLEDGEMENT = "ARRAY['status', 'reference_number', 'acknowledged_at']"


def _columns() -> list[sa.Column]:
    return [
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("contact_details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_by_kind", sa.String(length=20), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_name", sa.String(length=200), nullable=True),
        sa.Column("submitted_by_kind", sa.String(length=20), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_name", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    ]


def upgrade() -> None:
    for column in _columns():
        op.add_column("referrals", column)
    op.drop_constraint(op.f("ck_referrals_status_valid"), "referrals", type_="check")
    op.create_check_constraint(
        op.f("ck_referrals_status_valid"),
        "referrals",
        "status IN ('draft', 'pending_review', 'submitted', 'acknowledged', 'withdrawn')",
    )
    op.create_index(
        "uq_referrals_active_case",
        "referrals",
        ["tenant_id", "case_id"],
        unique=True,
        postgresql_where=sa.text(ACTIVE),
    )
    op.create_index("ix_referrals_tenant_created", "referrals", ["tenant_id", "created_at", "id"])
    op.create_table(
        "referral_evidence",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "referral_id"],
            ["referrals.tenant_id", "referrals.id"],
            name="fk_referral_evidence_referral",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "evidence_id"],
            ["evidence_items.tenant_id", "evidence_items.id"],
            name="fk_referral_evidence_item",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_referral_evidence_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("referral_id", "evidence_id", name=op.f("pk_referral_evidence")),
    )
    # Once submitted, a referral is what the authority received: the database refuses any
    # change but its one acknowledgement (status, reference and time, set once), and refuses
    # removing a referral at all, whatever the application does.
    op.execute(
        f"""
        CREATE FUNCTION haven_referral_is_frozen() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.status NOT IN {FILED} THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.status = 'submitted' AND NEW.status = 'acknowledged'
                AND NEW.reference_number IS NOT NULL AND NEW.acknowledged_at IS NOT NULL
                AND to_jsonb(NEW) - {ACKNOWLEDGEMENT} = to_jsonb(OLD) - {ACKNOWLEDGEMENT}
            THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'referral is frozen: % refused', TG_OP
                USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER referrals_frozen BEFORE UPDATE OR DELETE ON referrals "
        "FOR EACH ROW EXECUTE FUNCTION haven_referral_is_frozen()"
    )
    op.execute(
        "CREATE TRIGGER referrals_no_truncate BEFORE TRUNCATE ON referrals "
        "FOR EACH STATEMENT EXECUTE FUNCTION haven_referral_is_frozen()"
    )
    # The evidence a submitted referral carries is part of what was submitted.
    op.execute(
        f"""
        CREATE FUNCTION haven_referral_evidence_is_frozen() RETURNS trigger AS $$
        DECLARE
            touched uuid[];
        BEGIN
            IF TG_OP = 'INSERT' THEN
                touched := ARRAY[NEW.referral_id];
            ELSIF TG_OP = 'DELETE' THEN
                touched := ARRAY[OLD.referral_id];
            ELSE
                touched := ARRAY[OLD.referral_id, NEW.referral_id];
            END IF;
            IF EXISTS (
                SELECT 1 FROM referrals WHERE id = ANY(touched) AND status IN {FILED}
            ) THEN
                RAISE EXCEPTION 'evidence of a submitted referral is frozen: % refused', TG_OP
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        "CREATE TRIGGER referral_evidence_frozen BEFORE INSERT OR UPDATE OR DELETE "
        "ON referral_evidence FOR EACH ROW EXECUTE FUNCTION haven_referral_evidence_is_frozen()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER referral_evidence_frozen ON referral_evidence")
    op.execute("DROP FUNCTION haven_referral_evidence_is_frozen()")
    op.execute("DROP TRIGGER referrals_no_truncate ON referrals")
    op.execute("DROP TRIGGER referrals_frozen ON referrals")
    op.execute("DROP FUNCTION haven_referral_is_frozen()")
    op.drop_table("referral_evidence")
    op.drop_index("ix_referrals_tenant_created", table_name="referrals")
    op.drop_index("uq_referrals_active_case", table_name="referrals")
    op.drop_constraint(op.f("ck_referrals_status_valid"), "referrals", type_="check")
    op.create_check_constraint(
        op.f("ck_referrals_status_valid"),
        "referrals",
        "status IN ('draft', 'pending_review', 'submitted', 'acknowledged')",
    )
    for column in reversed(_columns()):
        op.drop_column("referrals", column.name)
