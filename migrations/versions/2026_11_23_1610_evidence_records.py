"""evidence records: items preserved on safety cases and their chain of custody

Revision ID: f3c5e7a9b1d2
Revises: e2b4c6d8f0a1
Create Date: 2026-11-23 16:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3c5e7a9b1d2"
down_revision: str | None = "e2b4c6d8f0a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR_KINDS = "actor_kind IN ('user', 'api_key', 'contact', 'system')"


def _record_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "evidence_items",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("version_id", sa.String(length=200), nullable=True),
        sa.Column("retention_mode", sa.String(length=20), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_event_id", sa.String(length=200), nullable=True),
        sa.Column("preserved_by_kind", sa.String(length=20), nullable=False),
        sa.Column("preserved_by_id", sa.Uuid(), nullable=True),
        sa.Column("preserved_by_name", sa.String(length=200), nullable=True),
        sa.Column("preserved_at", sa.DateTime(timezone=True), nullable=False),
        *_record_columns(),
        sa.CheckConstraint(
            "type IN ('image_hash', 'message', 'image', 'file', 'webhook_payload', "
            "'screenshot', 'other')",
            name=op.f("ck_evidence_items_type_valid"),
        ),
        sa.CheckConstraint(
            "source IN ('upload', 'webhook_event')", name=op.f("ck_evidence_items_source_valid")
        ),
        sa.CheckConstraint(
            "preserved_by_kind IN ('user', 'api_key', 'contact', 'system')",
            name=op.f("ck_evidence_items_preserved_by_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_evidence_items_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_evidence_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
        sa.UniqueConstraint("tenant_id", "id", name="uq_evidence_items_tenant_id"),
    )
    op.create_index(
        "ix_evidence_items_case",
        "evidence_items",
        ["tenant_id", "case_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_evidence_items_storage_key", "evidence_items", ["storage_key"], unique=False
    )
    op.create_table(
        "evidence_custody",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "action IN ('preserved', 'listed', 'viewed', 'downloaded', 'legal_hold_on', "
            "'legal_hold_off', 'tamper_detected')",
            name=op.f("ck_evidence_custody_action_valid"),
        ),
        sa.CheckConstraint(ACTOR_KINDS, name=op.f("ck_evidence_custody_actor_kind_valid")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "evidence_id"],
            ["evidence_items.tenant_id", "evidence_items.id"],
            name="fk_evidence_custody_item",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["safety_cases.tenant_id", "safety_cases.id"],
            name="fk_evidence_custody_case",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_evidence_custody_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_custody")),
    )
    op.create_index(
        "ix_evidence_custody_item",
        "evidence_custody",
        ["tenant_id", "evidence_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_evidence_custody_case",
        "evidence_custody",
        ["tenant_id", "case_id", "created_at"],
        unique=False,
    )
    # Preserved evidence and its custody log are only ever added to: changing or removing a
    # row, one by one or by TRUNCATE, is refused by the database whatever the application does.
    op.execute(
        """
        CREATE FUNCTION haven_evidence_is_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    for table in ("evidence_items", "evidence_custody"):
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION haven_evidence_is_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION haven_evidence_is_append_only()"
        )


def downgrade() -> None:
    for table in ("evidence_custody", "evidence_items"):
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute("DROP FUNCTION haven_evidence_is_append_only()")
    op.drop_index("ix_evidence_custody_case", table_name="evidence_custody")
    op.drop_index("ix_evidence_custody_item", table_name="evidence_custody")
    op.drop_table("evidence_custody")
    op.drop_index("ix_evidence_items_storage_key", table_name="evidence_items")
    op.drop_index("ix_evidence_items_case", table_name="evidence_items")
    op.drop_table("evidence_items")
