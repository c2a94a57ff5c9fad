"""Bodies of /api/v1/knowledge as typed models, in the API document's shapes and key order, with
its examples; they check what callers send, serialize the answers and describe both in the
generated document.

Requests are checked here for their JSON types only; their values are judged by the knowledge
service, which GraphQL input goes through too, so both APIs refuse the same things in the same
words."""

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, WithJsonSchema

from app.kit import validation
from app.kit.actors import shown_name
from app.kit.attributes import field_names, from_attributes
from app.knowledge import reading
from app.knowledge.models import Article, ArticleStatus, EmbeddingStatus
from app.knowledge.preview import preview
from app.knowledge.reading import Version
from app.knowledge.search import Hit
from app.knowledge.service import (
    CATEGORY_MAX,
    CONTENT_MAX_BYTES,
    SLUG,
    SLUG_MAX,
    ArticleFields,
)
from app.rest.types import ArticleId, Body, Page, Timestamp

ARTICLE_ID = "ka_b1c2d3e4-f5a6-7b8c-9d0e-f1a2b3c4d5e6"
SUMMARY: dict[str, Any] = {
    "id": ARTICLE_ID,
    "title": "Community Guidelines — Harassment Policy",
    "category": "policies",
    "status": "published",
    "content_preview": "Our platform has a zero-tolerance policy for harassment...",
    "word_count": 1240,
    "embedding_status": "indexed",
    "last_used_at": "2026-04-02T14:35:12.000Z",
    "created_at": "2026-02-15T10:00:00.000Z",
    "updated_at": "2026-03-20T14:30:00.000Z",
}
CREATE_EXAMPLE: dict[str, Any] = {
    "title": "Account Deletion Process",
    "content": "When a user requests account deletion, the following steps must be followed:"
    "\n\n1. Verify the user identity via email confirmation.\n2. Initiate a 30-day cooling-off "
    "period.\n3. After 30 days, permanently delete all personal data.\n4. Retain anonymised "
    "usage data for compliance purposes.",
    "category": "procedures",
    "tags": ["gdpr", "account", "deletion"],
    "status": "published",
}
SEARCH_EXAMPLE: dict[str, Any] = {"query": "What is our harassment policy?", "limit": 3}
AUTHOR = "Sam Rivera"

Author = Annotated[str, Field(description="`system` or the name of who wrote the version")]
ContentPreview = Annotated[
    str,
    Field(description="The start of the content as plain text, cut between words, with an …"),
]
WordCount = Annotated[int, Field(ge=0)]


class ArticleSummary(Body):
    model_config = ConfigDict(json_schema_extra={"example": SUMMARY})

    id: ArticleId
    title: str
    category: str
    status: ArticleStatus
    content_preview: ContentPreview
    word_count: WordCount
    embedding_status: EmbeddingStatus
    last_used_at: Timestamp | None = Field(
        description="When a semantic search (which feeds drafting) last returned the article"
    )
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, article: Article) -> "ArticleSummary":
        return from_attributes(cls, article, content_preview=preview(article.content))


class ArticlePage(Page[ArticleSummary]):
    model_config = Page.one_row_example(SUMMARY)


class ArticleCreated(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "ka_e5f6a7b8-c9d0-1e2f-3a4b-5c6d7e8f9a0b",
                "title": "Account Deletion Process",
                "category": "procedures",
                "status": "published",
                "tags": ["gdpr", "account", "deletion"],
                "word_count": 52,
                "embedding_status": "pending",
                "created_at": "2026-04-02T15:40:00.000Z",
            }
        }
    )

    id: ArticleId
    title: str
    category: str
    status: ArticleStatus
    tags: list[str]
    word_count: WordCount
    embedding_status: EmbeddingStatus = Field(
        description="pending until the article's chunks are embedded and searchable"
    )
    created_at: Timestamp

    @classmethod
    def of(cls, article: Article) -> "ArticleCreated":
        return from_attributes(cls, article)


class RevisionSummary(Body):
    """An earlier version, as the article lists it."""

    version: int = Field(ge=1)
    title: str
    author: Author
    created_at: Timestamp = Field(description="When this version was written")

    @classmethod
    def of(cls, version: Version) -> "RevisionSummary":
        return from_attributes(
            cls, version, author=shown_name(version.author_kind, version.author_name)
        )


DETAIL: dict[str, Any] = {
    "id": ARTICLE_ID,
    "slug": "community-guidelines-harassment-policy",
    "title": SUMMARY["title"],
    "category": "policies",
    "status": "published",
    "tags": ["harassment", "policy"],
    "content": "Our platform has a zero-tolerance policy for harassment.",
    "word_count": 8,
    "version": 2,
    "embedding_status": "indexed",
    "embedding_error": None,
    "author": AUTHOR,
    "last_used_at": SUMMARY["last_used_at"],
    "archived_at": None,
    "created_at": SUMMARY["created_at"],
    "updated_at": SUMMARY["updated_at"],
    "revisions": [
        {
            "version": 1,
            "title": "Harassment Policy",
            "author": AUTHOR,
            "created_at": SUMMARY["created_at"],
        }
    ],
}


class ArticleDetail(Body):
    model_config = ConfigDict(json_schema_extra={"example": DETAIL})

    id: ArticleId
    slug: str
    title: str
    category: str
    status: ArticleStatus
    tags: list[str]
    content: str = Field(description="Markdown or plain text, as written")
    word_count: WordCount
    version: int = Field(ge=1, description="Counts from 1; each change makes the next")
    embedding_status: EmbeddingStatus
    embedding_error: str | None = Field(description="Why indexing last failed; null unless failed")
    author: Author
    last_used_at: Timestamp | None
    archived_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    revisions: list[RevisionSummary] = Field(
        description="Earlier versions, newest first: all of them for writers, the published "
        "ones for viewers"
    )

    @classmethod
    def of(cls, article: Article, earlier: list[Version]) -> "ArticleDetail":
        return from_attributes(
            cls,
            article,
            author=shown_name(article.author_kind, article.author_name),
            revisions=[RevisionSummary.of(version) for version in earlier],
        )


class RevisionDetail(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "article_id": ARTICLE_ID,
                "version": 1,
                "title": "Harassment Policy",
                "category": "policies",
                "status": "draft",
                "tags": ["harassment"],
                "content": "We do not tolerate harassment.",
                "author": AUTHOR,
                "created_at": SUMMARY["created_at"],
            }
        }
    )

    article_id: ArticleId
    version: int = Field(ge=1)
    title: str
    category: str
    status: ArticleStatus
    tags: list[str]
    content: str
    author: Author
    created_at: Timestamp = Field(description="When this version was written")

    @classmethod
    def of(cls, version: Version) -> "RevisionDetail":
        return from_attributes(
            cls, version, author=shown_name(version.author_kind, version.author_name)
        )


class SearchHit(Body):
    id: ArticleId
    title: str
    category: str
    content_preview: str = Field(
        description="The text of the article's section that best matches the query"
    )
    similarity: float = Field(
        ge=0,
        le=1,
        description="Calibrated probability that the article answers the query",
    )
    word_count: WordCount

    @classmethod
    def of(cls, hit: Hit) -> "SearchHit":
        return from_attributes(
            cls,
            hit.article,
            content_preview=reading.section_text(hit),
            similarity=hit.similarity,
        )


class SearchResults(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "results": [
                    {
                        "id": ARTICLE_ID,
                        "title": SUMMARY["title"],
                        "category": "policies",
                        "content_preview": SUMMARY["content_preview"],
                        "similarity": 0.94,
                        "word_count": 1240,
                    },
                    {
                        "id": "ka_c2d3e4f5-a6b7-8c9d-0e1f-a2b3c4d5e6f7",
                        "title": "Escalation Procedures for Repeat Offenders",
                        "category": "procedures",
                        "content_preview": "When a user has multiple harassment reports...",
                        "similarity": 0.78,
                        "word_count": 890,
                    },
                ],
                "query_embedding_tokens": 12,
            }
        }
    )

    results: list[SearchHit] = Field(description="Best first, at or above the threshold")
    query_embedding_tokens: int = Field(ge=0, description="Tokens the query's embedding took")


# --- requests ----------------------------------------------------------------------------


def _string(description: str, **more: Any) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "description": description, **more})


TITLE = _string(
    f"1 to {validation.TITLE_MAX} characters once trimmed",
    minLength=1,
    maxLength=validation.TITLE_MAX,
)
CONTENT = _string(f"Plain text or Markdown, at most {CONTENT_MAX_BYTES // 1024} KB", minLength=1)
CATEGORY = _string("For example policies, procedures, faq", minLength=1, maxLength=CATEGORY_MAX)
TAGS = WithJsonSchema(
    {
        "type": "array",
        "items": {"type": "string", "maxLength": validation.TAG_MAX},
        "maxItems": validation.TAGS_MAX,
        "description": "Tags for filtering and organisation",
    }
)
SLUG_SCHEMA = _string(
    "The article's address in the help centre; made from the title when left out",
    pattern=SLUG.pattern,
    maxLength=SLUG_MAX,
)


def _status(*allowed: ArticleStatus, default: str | None = None) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", "enum": [status.value for status in allowed]}
    return WithJsonSchema({**schema, "default": default} if default else schema)


class ArticleInput(Body):
    """The fields an article is written with. Fields of the wrong JSON type are refused by
    name; values are judged by the knowledge service. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {
        "title": "title must be a string",
        "content": "content must be a string",
        "category": "category must be a string",
        "tags": "tags must be an array of strings",
        "slug": "slug must be a string",
        "status": "status must be a string",
    }

    title: Annotated[str | None, TITLE] = None
    content: Annotated[str | None, CONTENT] = None
    category: Annotated[str | None, CATEGORY] = None
    tags: Annotated[list[str] | None, TAGS] = None
    slug: Annotated[str | None, SLUG_SCHEMA] = None

    def fields(self) -> ArticleFields:
        return ArticleFields(**self.model_dump(include=set(field_names(ArticleFields))))


class ArticleCreate(ArticleInput):
    """A new article: a draft unless it says otherwise."""

    model_config = ConfigDict(json_schema_extra={"required": ["title", "content", "category"]})

    status: Annotated[
        str | None, _status(ArticleStatus.DRAFT, ArticleStatus.PUBLISHED, default="draft")
    ] = None


class ArticleUpdate(ArticleInput):
    """Any subset of the fields; those left out stay as they are. A change keeps the version
    it replaces as a revision."""

    status: Annotated[str | None, _status(*ArticleStatus)] = None


class KnowledgeSearch(Body):
    """Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"required": ["query"]})
    MESSAGES: ClassVar[dict[str, str]] = {
        "query": "query must be a string",
        "limit": "limit must be a whole number from {} to {}".format(*reading.SEARCH_LIMIT),
        "category": "category must be a string",
        "threshold": "threshold must be a number from 0 to 1",
    }

    query: Annotated[
        str | None,
        _string("Natural language search query", minLength=1, maxLength=reading.QUERY_MAX),
    ] = None
    limit: int = Field(
        default=reading.DEFAULT_SEARCH_LIMIT,
        ge=reading.SEARCH_LIMIT[0],
        le=reading.SEARCH_LIMIT[1],
        description="Most results to return",
    )
    category: Annotated[
        str | None, _string("Search this category only", maxLength=CATEGORY_MAX)
    ] = None
    threshold: float = Field(
        default=reading.DEFAULT_THRESHOLD,
        ge=0,
        le=1,
        description="Least similarity a result may have",
    )
