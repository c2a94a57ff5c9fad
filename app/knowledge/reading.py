"""Reading the knowledge base, alike through REST and GraphQL: searches (their bounds, and an
embedder that fails as a coded answer rather than a 500), and the versions of an article a
caller may read."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from app.auth.principal import Principal
from app.kit import unavailable, validation
from app.kit.attributes import from_attributes
from app.kit.errors import HavenError, NotFound, ValidationFailed
from app.kit.models import utcnow
from app.knowledge.embedders import EmbeddingFailed
from app.knowledge.models import Article, ArticleStatus, Revision
from app.knowledge.preview import plain_text
from app.knowledge.repository import ArticleRepository
from app.knowledge.search import Found, Hit, Scope, search
from app.knowledge.service import CATEGORY_MAX
from app.services import Services

logger = logging.getLogger("haven.knowledge")

# Longer questions add nothing a search can use, and cost an embedding all the same.
QUERY_MAX = 1000
# The semantic search that feeds drafting: a few articles, each likely to answer.
SEARCH_LIMIT = (1, 10)
DEFAULT_SEARCH_LIMIT = 5
DEFAULT_THRESHOLD = 0.5
SEARCH_UNAVAILABLE = "Knowledge search is unavailable: the embeddings service failed; retry shortly"


class SearchUnavailable(HavenError):
    """The embedder could not embed the query; nothing is wrong with the request."""

    code = unavailable.CODE
    http_status = 503


def search_query(value: str | None, field: str = "query") -> str:
    if value is None or not value.strip():
        raise ValidationFailed(f"Missing search query: {field} is required", field=field)
    validation.text(value, field)
    if len(value) > QUERY_MAX:
        raise ValidationFailed(f"{field} must be at most {QUERY_MAX} characters", field=field)
    return value.strip()


def category_filter(value: str | None) -> str | None:
    """A category to filter by; blank reads as none."""
    return validation.name(value, "category", CATEGORY_MAX)


def in_range(value: int, field: str, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise ValidationFailed(f"{field} must be from {low} to {high}", field=field)
    return value


def threshold_of(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValidationFailed("threshold must be from 0 to 1", field="threshold")
    return value


async def find(
    services: Services,
    principal: Principal,
    query: str,
    *,
    limit: int,
    threshold: float,
    category: str | None = None,
    marks_used: bool = False,
) -> Found:
    """The published articles most likely to answer `query`, in the caller's tenant. A search
    that feeds drafting (`marks_used`) records when it last returned each article."""
    scope = Scope(principal.tenant_id, category=category)
    async with services.db.read() as session:
        try:
            found = await search(
                session, services.embedder, scope, query, limit=limit, threshold=threshold
            )
        except EmbeddingFailed as error:
            logger.warning("knowledge search failed to embed its query: %s", error)
            raise SearchUnavailable(SEARCH_UNAVAILABLE) from None
    if marks_used and found.hits:
        async with services.db.transaction() as work:
            await ArticleRepository(work.session, principal.tenant_id).mark_used(
                [hit.article.id for hit in found.hits], utcnow()
            )
    return found


def section_text(hit: Hit) -> str:
    """The text of the article's best-matching section, as plain text: a chunk is at most a
    section (see chunking); one that is only a heading shows the heading."""
    return plain_text(hit.chunk.body or hit.chunk.heading or "")


@dataclass(frozen=True)
class Version:
    """An article as it read at one version: the current one, or an earlier one kept as a
    revision. `created_at` is when that version was written."""

    article_id: uuid.UUID
    version: int
    title: str
    content: str
    category: str
    tags: list[str]
    status: str
    author_kind: str
    author_name: str | None
    created_at: datetime


def _readable(principal: Principal, status: str) -> bool:
    # Viewers read what was published; a version that was a draft stays the writers'.
    return principal.can_write or status == ArticleStatus.PUBLISHED


def _written(article: Article, rows: list[Revision]) -> dict[int, datetime]:
    """When each version of the article was written. A revision row is made when its version
    is replaced, so version N was written when version N - 1 was replaced (the first, when the
    article was created)."""
    replaced = {row.version: row.created_at for row in rows}
    return {
        number: replaced.get(number - 1, article.created_at)
        for number in range(1, article.version + 1)
    }


def readable_versions(
    principal: Principal, article: Article, rows: list[Revision]
) -> list[Version]:
    """The earlier versions among the article's revision `rows` (newest first) that the
    caller may read."""
    written = _written(article, rows)
    return [
        from_attributes(Version, row, created_at=written[row.version])
        for row in rows
        if _readable(principal, row.status)
    ]


async def versions(
    articles: ArticleRepository, principal: Principal, article: Article
) -> list[Version]:
    """The earlier versions of `article` the caller may read, newest first."""
    return readable_versions(principal, article, await articles.revisions([article.id]))


async def version_of(
    articles: ArticleRepository, principal: Principal, article: Article, number: int
) -> Version:
    """One version of `article`, the current one included; missing when there is no such
    version or the caller may not read it."""
    rows = await articles.revisions([article.id])
    written = _written(article, rows)
    if number == article.version:
        return from_attributes(Version, article, article_id=article.id, created_at=written[number])
    for row in rows:
        if row.version == number and _readable(principal, row.status):
            return from_attributes(Version, row, created_at=written[number])
    raise NotFound("Revision")
