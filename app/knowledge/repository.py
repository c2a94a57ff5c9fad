"""Every query of knowledge articles, their revisions and chunks, tenant-scoped. Who may read
what: drafts and archived articles only for those who write; everyone reads published ones."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.knowledge.models import Article, ArticleStatus, Chunk, Revision

# Newest first; the id breaks ties between articles made in the same instant.
NEWEST = Ordering(
    "knowledge",
    [Key(Article.created_at, datetime), Key(Article.id, uuid.UUID)],
    descending=True,
)


# How stale `last_used_at` may get: finer times are not worth a write per search.
USE_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class ArticleFilter:
    status: str | None = None
    category: str | None = None


class ArticleRepository(TenantRepository[Article]):
    model = Article

    def __init__(
        self, session: AsyncSession, tenant_id: uuid.UUID, *, sees_drafts: bool = True
    ) -> None:
        super().__init__(session, tenant_id)
        self.sees_drafts = sees_drafts

    def visible(self, statement: Select[Any]) -> Select[Any]:
        if self.sees_drafts:
            return statement
        return statement.where(Article.status == ArticleStatus.PUBLISHED)

    def _filtered(self, where: ArticleFilter) -> Select[Any]:
        statement = self.readable_statement()
        if where.status is not None:
            statement = statement.where(Article.status == where.status)
        if where.category is not None:
            statement = statement.where(Article.category == where.category)
        return statement

    async def page(self, where: ArticleFilter, first: int, after: str | None) -> Page[Article]:
        return await self.paginate(self._filtered(where), NEWEST, first, after)

    async def count(self, where: ArticleFilter) -> int:
        return await self.count_rows(self._filtered(where))

    async def by_slug(self, slug: str) -> Article | None:
        found: Article | None = await self.session.scalar(
            self.readable_statement().where(Article.slug == slug)
        )
        return found

    async def slugs_like(self, stem: str) -> set[str]:
        """Slugs in the tenant that are `stem` or `stem-<n>` (whatever the caller may see:
        a slug is unique across every article of the tenant)."""
        rows = await self.session.scalars(
            select(Article.slug).where(
                self.in_tenant(Article),
                (Article.slug == stem) | Article.slug.like(f"{stem}-%"),
            )
        )
        return set(rows)

    async def revisions(self, article_ids: list[uuid.UUID]) -> list[Revision]:
        """The revisions of these articles, each article's newest first."""
        rows = await self.session.scalars(
            self.tenant_rows(Revision, Revision.article_id.in_(article_ids)).order_by(
                Revision.article_id, Revision.version.desc()
            )
        )
        return list(rows)

    async def mark_used(self, article_ids: list[uuid.UUID], at: datetime) -> None:
        """Record that a search returned these articles: at most once a minute each (a popular
        article is not rewritten on every search), and without touching `updated_at` (being
        found is not an edit)."""
        await self.session.execute(
            update(Article)
            .where(
                self.in_tenant(Article),
                Article.id.in_(article_ids),
                or_(Article.last_used_at.is_(None), Article.last_used_at < at - USE_INTERVAL),
            )
            .values(last_used_at=at, updated_at=Article.updated_at)
        )

    async def replace_chunks(self, article_id: uuid.UUID, chunks: list[Chunk]) -> None:
        await self.session.execute(
            delete(Chunk).where(self.in_tenant(Chunk), Chunk.article_id == article_id)
        )
        self.session.add_all(chunks)

    async def restate_chunks(self, article: Article) -> None:
        """Carry a status or category change to the chunks, which search filters on."""
        await self.session.execute(
            update(Chunk)
            .where(self.in_tenant(Chunk), Chunk.article_id == article.id)
            .values(status=article.status, category=article.category)
        )
