"""intake forms and requesters' private status links

Revision ID: b8e4f0a2c3d6
Revises: a7d3c9e1f2b5
Create Date: 2026-11-23 15:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b8e4f0a2c3d6"
down_revision: str | None = "a7d3c9e1f2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "intake_forms",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("intro", sa.Text(), nullable=True),
        sa.Column("board_id", sa.Uuid(), nullable=True),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=100)), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
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
            "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("ck_intake_forms_slug_format")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_intake_forms_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "board_id"],
            ["boards.tenant_id", "boards.id"],
            name="fk_intake_forms_board",
            ondelete="SET NULL (board_id)",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_forms")),
        sa.UniqueConstraint("slug", name="uq_intake_forms_slug"),
        sa.UniqueConstraint("tenant_id", "id", name="uq_intake_forms_tenant_id"),
    )
    op.create_index(op.f("ix_intake_forms_tenant_id"), "intake_forms", ["tenant_id"], unique=False)
    op.create_table(
        "ticket_status_links",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ticket_status_links_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ticket_id"],
            ["tickets.tenant_id", "tickets.id"],
            name="fk_ticket_status_links_ticket",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_status_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ticket_status_links_token_hash")),
    )
    op.create_index(
        op.f("ix_ticket_status_links_ticket_id"),
        "ticket_status_links",
        ["ticket_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ticket_status_links_ticket_id"), table_name="ticket_status_links")
    op.drop_table("ticket_status_links")
    op.drop_index(op.f("ix_intake_forms_tenant_id"), table_name="intake_forms")
    op.drop_table("intake_forms")
