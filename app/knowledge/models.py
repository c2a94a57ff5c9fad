"""A tenant's help-centre articles, every earlier version of each, and the chunks search reads.

Search works on chunks (a heading's section, split further when long), not whole articles: a
long article matches on the section that answers the question, and that section is what a
result previews. Chunks carry the article's status and category so that both filters apply
inside the index scans, not to a handful of results afterwards."""

import uuid
from datetime import datetime
from enum import StrEnum

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Computed,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    cast,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.kit.enums import check_in
from app.kit.models import Base, RecordMixin, TenantMixin, UpdatedMixin, same_tenant


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class EmbeddingStatus(StrEnum):
    PENDING = "pending"
    INDEXED = "indexed"
    FAILED = "failed"


class Article(RecordMixin, TenantMixin, UpdatedMixin, Base):
    __tablename__ = "knowledge_articles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "id", name="uq_knowledge_articles_tenant_id"),
        UniqueConstraint("tenant_id", "slug", name="uq_knowledge_articles_slug"),
        check_in("status", ArticleStatus),
        check_in("embedding_status", EmbeddingStatus),
        Index("ix_knowledge_articles_list", "tenant_id", "created_at", "id"),
    )

    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), server_default="{}")
    status: Mapped[str] = mapped_column(String(20))
    word_count: Mapped[int] = mapped_column(Integer)
    # The version the current content is; each earlier one is a row of knowledge_revisions.
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    embedding_status: Mapped[str] = mapped_column(String(20))
    # The version and embedder the chunks were made from, and why indexing last failed.
    indexed_version: Mapped[int | None] = mapped_column(Integer)
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_error: Mapped[str | None] = mapped_column(Text)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    author_kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[uuid.UUID | None]
    author_name: Mapped[str | None] = mapped_column(String(200))


class Revision(RecordMixin, TenantMixin, Base):
    """An article as it was before an edit: editing never loses what was there."""

    __tablename__ = "knowledge_revisions"
    __table_args__ = (
        same_tenant("article_id", "knowledge_articles", ondelete="CASCADE"),
        UniqueConstraint("article_id", "version", name="uq_knowledge_revisions_version"),
    )

    article_id: Mapped[uuid.UUID]
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)))
    status: Mapped[str] = mapped_column(String(20))
    author_kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[uuid.UUID | None]
    author_name: Mapped[str | None] = mapped_column(String(200))


# Title over heading over body: a query naming the article's subject outranks a passing mention.
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(heading, '')), 'B') || "
    "setweight(to_tsvector('english', body), 'C')"
)


class Chunk(RecordMixin, TenantMixin, Base):
    __tablename__ = "knowledge_chunks"
    __table_args__ = (
        same_tenant("article_id", "knowledge_articles", ondelete="CASCADE"),
        Index("ix_knowledge_chunks_article", "article_id", "ordinal"),
        # Full text reads the tenant's matches only (btree_gin puts the tenant in the index).
        Index("ix_knowledge_chunks_tenant_search", "tenant_id", "search", postgresql_using="gin"),
        # Counts a search's scope, to choose between exact and HNSW vector search.
        Index("ix_knowledge_chunks_scope", "tenant_id", "status", "category"),
    )

    article_id: Mapped[uuid.UUID]
    ordinal: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    heading: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Copied from the article, so filters run inside the index scans.
    status: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(100))
    search: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))
    embedding: Mapped[list[float] | None] = mapped_column(Vector())
    model: Mapped[str | None] = mapped_column(String(200))
    dimensions: Mapped[int | None] = mapped_column(Integer)


# The vector indexes of each size (app.knowledge.index): the default embedder's come with the
# schema; another embedder's are made when its first vectors are written.
Index(
    "ix_knowledge_chunks_embedding_256",
    cast(Chunk.embedding, Vector(256)).label("embedding_256"),
    postgresql_using="hnsw",
    postgresql_ops={"embedding_256": "vector_cosine_ops"},
    postgresql_with={"m": 16, "ef_construction": 128},
    postgresql_where=Chunk.dimensions == 256,
)
Index(
    "ix_knowledge_chunks_scope_vectors_256",
    Chunk.tenant_id,
    Chunk.status,
    Chunk.category,
    postgresql_include=["id", "article_id", "model", "embedding"],
    postgresql_where=Chunk.dimensions == 256,
)
