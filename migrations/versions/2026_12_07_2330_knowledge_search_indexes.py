"""knowledge search: the tenant in the full-text index, B-trees for exact vector search, and
a better-built HNSW graph

Revision ID: d7e9f1a3b5c7
Revises: c6d8e0f2a4b6
Create Date: 2026-12-07 23:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7e9f1a3b5c7"
down_revision: str | None = "c6d8e0f2a4b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE = ["tenant_id", "status", "category"]
HNSW = "ix_knowledge_chunks_embedding_256"
# A wider beam when building the graph (pgvector's default ef_construction is 64) finds a
# tenant's nearest chunks more often for the same search effort.
WIDER_BEAM = "WITH (m = 16, ef_construction = 128)"


def _hnsw(built: str) -> str:
    return (
        f"CREATE INDEX {HNSW} ON knowledge_chunks "
        f"USING hnsw ((embedding::vector(256)) vector_cosine_ops) {built} WHERE dimensions = 256"
    )


def upgrade() -> None:
    # btree_gin lets a GIN index hold the tenant beside the search document, so full text
    # reads one tenant's matches instead of every tenant's.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.drop_index("ix_knowledge_chunks_search", table_name="knowledge_chunks")
    op.create_index(
        "ix_knowledge_chunks_tenant_search",
        "knowledge_chunks",
        ["tenant_id", "search"],
        postgresql_using="gin",
    )
    op.create_index("ix_knowledge_chunks_scope", "knowledge_chunks", SCOPE)
    # The default embedder's vectors, readable from the index alone for exact search (other
    # sizes get theirs when first written: app.knowledge.index).
    op.create_index(
        "ix_knowledge_chunks_scope_vectors_256",
        "knowledge_chunks",
        SCOPE,
        postgresql_include=["id", "article_id", "model", "embedding"],
        postgresql_where=sa.text("dimensions = 256"),
    )
    op.drop_index(HNSW, table_name="knowledge_chunks")
    op.execute(_hnsw(WIDER_BEAM))


def downgrade() -> None:
    op.drop_index(HNSW, table_name="knowledge_chunks")
    op.execute(_hnsw(""))
    op.drop_index("ix_knowledge_chunks_scope_vectors_256", table_name="knowledge_chunks")
    op.drop_index("ix_knowledge_chunks_scope", table_name="knowledge_chunks")
    op.drop_index("ix_knowledge_chunks_tenant_search", table_name="knowledge_chunks")
    op.create_index(
        "ix_knowledge_chunks_search", "knowledge_chunks", ["search"], postgresql_using="gin"
    )
    op.execute("DROP EXTENSION IF EXISTS btree_gin")
