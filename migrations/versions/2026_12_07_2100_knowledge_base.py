"""knowledge base: articles, their revisions, and the chunks search reads

Revision ID: b5c7d9e1f3a5
Revises: a4b6c8d0e2f3
Create Date: 2026-12-07 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision: str = "b5c7d9e1f3a5"
down_revision: str | None = "a4b6c8d0e2f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "('draft', 'published', 'archived')"
# Title over heading over body (app.knowledge.models.SEARCH_DOCUMENT, frozen here).
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(heading, '')), 'B') || "
    "setweight(to_tsvector('english', body), 'C')"
)
# The default embedder's vectors have 256 dimensions; other sizes get their index when first
# written (app.knowledge.index).
VECTOR_INDEX = (
    "CREATE INDEX ix_knowledge_chunks_embedding_256 ON knowledge_chunks "
    "USING hnsw ((embedding::vector(256)) vector_cosine_ops) WHERE dimensions = 256"
)


def _author() -> list[sa.Column]:
    return [
        sa.Column("author_kind", sa.String(length=20), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=True),
    ]


def _tenant() -> sa.Column:
    return sa.Column(
        "tenant_id", sa.Uuid(), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def _article_key(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "article_id"],
        ["knowledge_articles.tenant_id", "knowledge_articles.id"],
        name=name,
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "knowledge_articles",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _tenant(),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column(
            "tags", postgresql.ARRAY(sa.String(length=50)), server_default="{}", nullable=False
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("embedding_status", sa.String(length=20), nullable=False),
        sa.Column("indexed_version", sa.Integer(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_error", sa.Text(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        *_author(),
        sa.UniqueConstraint("tenant_id", "id", name="uq_knowledge_articles_tenant_id"),
        sa.UniqueConstraint("tenant_id", "slug", name="uq_knowledge_articles_slug"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_knowledge_articles_status_valid"),
        sa.CheckConstraint(
            "embedding_status IN ('pending', 'indexed', 'failed')",
            name="ck_knowledge_articles_embedding_status_valid",
        ),
    )
    op.create_index(
        "ix_knowledge_articles_list", "knowledge_articles", ["tenant_id", "created_at", "id"]
    )
    op.create_table(
        "knowledge_revisions",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _tenant(),
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=50)), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_author(),
        _article_key("fk_knowledge_revisions_tenant_id_knowledge_articles"),
        sa.UniqueConstraint("article_id", "version", name="uq_knowledge_revisions_version"),
    )
    op.create_table(
        "knowledge_chunks",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        _tenant(),
        sa.Column("article_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("heading", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(SEARCH_DOCUMENT, persisted=True)),
        sa.Column("embedding", Vector(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("dimensions", sa.Integer(), nullable=True),
        _article_key("fk_knowledge_chunks_tenant_id_knowledge_articles"),
    )
    op.create_index("ix_knowledge_chunks_article", "knowledge_chunks", ["article_id", "ordinal"])
    op.create_index(
        "ix_knowledge_chunks_search", "knowledge_chunks", ["search"], postgresql_using="gin"
    )
    op.execute(VECTOR_INDEX)


def downgrade() -> None:
    op.drop_table("knowledge_chunks")
    op.drop_table("knowledge_revisions")
    op.drop_table("knowledge_articles")
