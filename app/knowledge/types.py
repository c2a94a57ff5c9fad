"""The knowledge base in GraphQL: articles (nodes, `ka_<uuid>`), their versions and search
results, and the inputs of the mutations that write them."""

import uuid
from datetime import datetime

import strawberry

from app.graphql.actors import ActorKind
from app.graphql.context import Info
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.knowledge import reading
from app.knowledge.models import Article, ArticleStatus, EmbeddingStatus
from app.knowledge.preview import preview
from app.knowledge.reading import Version
from app.knowledge.search import Hit
from app.knowledge.service import article_gid

strawberry.enum(
    ArticleStatus,
    name="KnowledgeArticleStatus",
    description="Where an article is: drafts and archives are for those who write only.",
)
strawberry.enum(
    EmbeddingStatus,
    name="KnowledgeEmbeddingStatus",
    description="Whether the article's current version is indexed for search.",
)


@strawberry.type(name="KnowledgeRevision", description="An article as it read at one version.")
class KnowledgeRevisionType:
    version: int = strawberry.field(description="Counts from 1.")
    title: str = strawberry.field(description="Title then.")
    content: str = strawberry.field(description="Content then.")
    category: str = strawberry.field(description="Category then.")
    tags: list[str] = strawberry.field(description="Tags then.")
    status: ArticleStatus = strawberry.field(description="Status then.")
    author_kind: ActorKind = strawberry.field(description="Who wrote this version.")
    author_name: str | None = strawberry.field(description="Their display name.")
    created_at: datetime = strawberry.field(description="When this version was written.")

    @classmethod
    def of(cls, version: Version) -> "KnowledgeRevisionType":
        return from_attributes(
            cls,
            version,
            status=ArticleStatus(version.status),
            author_kind=ActorKind(version.author_kind),
        )


@strawberry.type(
    name="KnowledgeArticle",
    description="A help-centre article, searched to answer customers and draft replies.",
)
class KnowledgeArticleType(Node):
    slug: str = strawberry.field(description="Its address in the help centre, unique.")
    title: str = strawberry.field(description="Title.")
    content: str = strawberry.field(description="Plain text or Markdown, as written.")
    content_preview: str = strawberry.field(
        description="The start of the content as plain text, cut between words."
    )
    category: str = strawberry.field(description="Category, such as policies or faq.")
    tags: list[str] = strawberry.field(description="Tags.")
    status: ArticleStatus = strawberry.field(description="Draft, published or archived.")
    word_count: int = strawberry.field(description="Words in the content.")
    version: int = strawberry.field(description="Counts from 1; each change makes the next.")
    embedding_status: EmbeddingStatus = strawberry.field(
        description="Whether this version is indexed for search yet."
    )
    embedding_error: str | None = strawberry.field(
        description="Why indexing last failed; null unless it did."
    )
    author_kind: ActorKind = strawberry.field(description="Who wrote the current version.")
    author_name: str | None = strawberry.field(description="Their display name.")
    last_used_at: datetime | None = strawberry.field(
        description="When a semantic search (which feeds drafting) last returned it."
    )
    archived_at: datetime | None = strawberry.field(description="When it was archived, if it is.")
    created_at: datetime = strawberry.field(description="When it was written.")
    updated_at: datetime = strawberry.field(description="When its current version was written.")
    pk: strawberry.Private[uuid.UUID]
    row: strawberry.Private[Article]

    @classmethod
    def from_row(cls, row: Article) -> "KnowledgeArticleType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(article_gid(row)),
            content_preview=preview(row.content),
            status=ArticleStatus(row.status),
            embedding_status=EmbeddingStatus(row.embedding_status),
            author_kind=ActorKind(row.author_kind),
            pk=row.id,
            row=row,
        )

    @strawberry.field(
        description="Earlier versions, newest first: all of them for those who write, the "
        "published ones for viewers."
    )
    async def revisions(self, info: Info) -> list[KnowledgeRevisionType]:
        # One query for every article on the page, through the request's loader.
        rows = await info.context.loaders.knowledge_revisions.load(self.row.id)
        earlier = reading.readable_versions(info.context.require(), self.row, rows)
        return [KnowledgeRevisionType.of(version) for version in earlier]


@strawberry.type(description="An article a search found.")
class KnowledgeSearchHit:
    article: KnowledgeArticleType = strawberry.field(description="The article.")
    similarity: float = strawberry.field(
        description="Calibrated probability (0-1) that the article answers the query."
    )
    preview: str = strawberry.field(
        description="The text of the article's section that best matches the query."
    )

    @classmethod
    def of(cls, hit: Hit) -> "KnowledgeSearchHit":
        return cls(
            article=KnowledgeArticleType.from_row(hit.article),
            similarity=hit.similarity,
            preview=reading.section_text(hit),
        )


@strawberry.type(description="What a knowledge search found.")
class KnowledgeSearchResults:
    results: list[KnowledgeSearchHit] = strawberry.field(
        description="Best first, at or above the threshold."
    )
    query_embedding_tokens: int = strawberry.field(description="Tokens the query's embedding took.")


@strawberry.input
class CreateKnowledgeArticleInput:
    title: str = strawberry.field(description="1 to 300 characters once trimmed.")
    content: str = strawberry.field(description="Plain text or Markdown, at most 256 KB.")
    category: str = strawberry.field(description="Such as policies, procedures, faq.")
    tags: list[str] | None = strawberry.field(default=None, description="Tags.")
    status: ArticleStatus | None = strawberry.field(
        default=None, description="DRAFT (the default) or PUBLISHED."
    )
    slug: str | None = strawberry.field(
        default=None, description="Its address; made from the title when left out."
    )


@strawberry.input
class UpdateKnowledgeArticleInput:
    id: strawberry.ID = strawberry.field(description="The article.")
    title: str | None = strawberry.field(default=None, description="New title.")
    content: str | None = strawberry.field(default=None, description="New content.")
    category: str | None = strawberry.field(default=None, description="New category.")
    tags: list[str] | None = strawberry.field(default=None, description="New tags.")
    status: ArticleStatus | None = strawberry.field(default=None, description="New status.")
    slug: str | None = strawberry.field(default=None, description="New slug.")


@strawberry.input
class ArchiveKnowledgeArticleInput:
    id: strawberry.ID = strawberry.field(description="The article.")


@strawberry.type
class KnowledgeArticlePayload:
    article: KnowledgeArticleType = strawberry.field(description="The article as it is now.")
