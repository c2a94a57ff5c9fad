"""Writing knowledge articles: create, edit, archive. Every write keeps the version it
replaces (a revision), goes through the journal (audited), and enqueues the article's indexing
in the same transaction, so its chunks always catch up with what was committed."""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.jobs.queue import enqueue
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.knowledge.chunking import word_count
from app.knowledge.models import Article, ArticleStatus, EmbeddingStatus, Revision
from app.knowledge.repository import ArticleRepository

INDEX_JOB = "knowledge_index"
CONTENT_MAX_BYTES = 256 * 1024
CATEGORY_MAX = 100
SLUG_MAX = 120
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ArticleFields:
    """What a write sets; None leaves a field as it is (on create: the defaults)."""

    title: str | None = None
    content: str | None = None
    category: str | None = None
    tags: list[str] | None = None
    status: str | None = None
    slug: str | None = None


def article_gid(article: Article) -> str:
    return to_global_id("KnowledgeArticle", article.id)


def articles_of(session: AsyncSession, principal: Principal) -> ArticleRepository:
    """Viewers read published articles only; those who write see drafts and archives too."""
    return ArticleRepository(session, principal.tenant_id, sees_drafts=principal.can_write)


def require_writer(principal: Principal) -> None:
    if not principal.can_write:
        raise Forbidden("Viewers cannot change knowledge articles")


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words)[:SLUG_MAX].strip("-") or "article"


def _slug(value: str) -> str:
    cleaned = value.strip().lower()
    if not (1 <= len(cleaned) <= SLUG_MAX and SLUG.match(cleaned)):
        raise ValidationFailed(
            "slug must be 1 to 120 lowercase letters, digits and single hyphens", field="slug"
        )
    return cleaned


def _category(value: str) -> str:
    cleaned = validation.name(value, "category", CATEGORY_MAX)
    if not cleaned:
        raise ValidationFailed("category is required", field="category")
    return cleaned


def _content(value: str) -> str:
    if not value.strip():
        raise ValidationFailed("content must not be empty", field="content")
    validation.text(value, "content", CONTENT_MAX_BYTES)
    return value


def _status(value: str, *, creating: bool) -> str:
    allowed = [ArticleStatus.DRAFT, ArticleStatus.PUBLISHED]
    if not creating:
        allowed.append(ArticleStatus.ARCHIVED)
    if value not in allowed:
        raise ValidationFailed(f"status must be one of {', '.join(allowed)}", field="status")
    return value


async def _free_slug(articles: ArticleRepository, stem: str) -> str:
    """`stem`, or `stem-2`, `stem-3`… when taken: titles repeat, slugs may not."""
    taken = await articles.slugs_like(stem)
    if stem not in taken:
        return stem
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


async def _record(
    session: AsyncSession, principal: Principal, article: Article, action: str, **details: Any
) -> None:
    await journal.record(
        session,
        Change(
            tenant_id=principal.tenant_id,
            actor=Actor.of(principal),
            action=action,
            subjects=[Subject("KnowledgeArticle", article_gid(article))],
            details={"version": article.version, **details},
        ),
    )


async def _reindex(session: AsyncSession, article: Article) -> None:
    article.embedding_status = EmbeddingStatus.PENDING
    article.embedding_error = None
    await session.flush()
    await enqueue(session, INDEX_JOB, {"article_id": str(article.id)})


async def create_article(
    session: AsyncSession, principal: Principal, fields: ArticleFields
) -> Article:
    require_writer(principal)
    if fields.title is None:
        raise ValidationFailed("title is required", field="title")
    if fields.content is None:
        raise ValidationFailed("content is required", field="content")
    if fields.category is None:
        raise ValidationFailed("category is required", field="category")
    title = validation.title(fields.title)
    content = _content(fields.content)
    articles = ArticleRepository(session, principal.tenant_id)
    if fields.slug is not None:
        slug = _slug(fields.slug)
        if await articles.slugs_like(slug) & {slug}:
            raise Conflict(f"An article with the slug {slug!r} exists")
    else:
        slug = await _free_slug(articles, slugify(title))
    article = Article(
        tenant_id=principal.tenant_id,
        slug=slug,
        title=title,
        content=content,
        category=_category(fields.category),
        tags=validation.tags(fields.tags or []),
        status=_status(fields.status or ArticleStatus.DRAFT, creating=True),
        word_count=word_count(content),
        version=1,
        embedding_status=EmbeddingStatus.PENDING,
        **Actor.of(principal).as_columns("author"),
    )
    session.add(article)
    await session.flush()
    await _record(session, principal, article, "knowledge.created", slug=slug)
    await _reindex(session, article)
    return article


def _revision(article: Article) -> Revision:
    return Revision(
        tenant_id=article.tenant_id,
        article_id=article.id,
        version=article.version,
        title=article.title,
        content=article.content,
        category=article.category,
        tags=list(article.tags),
        status=article.status,
        author_kind=article.author_kind,
        author_id=article.author_id,
        author_name=article.author_name,
    )


async def update_article(
    session: AsyncSession, principal: Principal, pk: uuid.UUID, fields: ArticleFields
) -> Article:
    """Change what `fields` names. The version before is kept as a revision; a change of
    text re-indexes the article, a change of status or category only restates its chunks."""
    require_writer(principal)
    articles = ArticleRepository(session, principal.tenant_id)
    article = await articles.get(pk, for_update=True)
    if article is None:
        raise NotFound("Knowledge article")
    changes: dict[str, Any] = {}
    if fields.title is not None:
        changes["title"] = validation.title(fields.title)
    if fields.content is not None:
        changes["content"] = _content(fields.content)
    if fields.category is not None:
        changes["category"] = _category(fields.category)
    if fields.tags is not None:
        changes["tags"] = validation.tags(fields.tags)
    if fields.status is not None:
        changes["status"] = _status(fields.status, creating=False)
    if fields.slug is not None:
        slug = _slug(fields.slug)
        if slug != article.slug and slug in await articles.slugs_like(slug):
            raise Conflict(f"An article with the slug {slug!r} exists")
        changes["slug"] = slug
    changed = {key: value for key, value in changes.items() if getattr(article, key) != value}
    if not changed:
        return article
    session.add(_revision(article))
    for key, value in changed.items():
        setattr(article, key, value)
    article.version += 1
    article.word_count = word_count(article.content)
    article.archived_at = utcnow() if article.status == ArticleStatus.ARCHIVED else None
    # The author is whoever wrote the version shown; each revision keeps its own.
    for key, value in Actor.of(principal).as_columns("author").items():
        setattr(article, key, value)
    await session.flush()
    await _record(session, principal, article, "knowledge.updated", fields=sorted(changed))
    if {"title", "content"} & changed.keys():
        await _reindex(session, article)
    elif {"status", "category"} & changed.keys():
        await articles.restate_chunks(article)
    return article


async def archive_article(session: AsyncSession, principal: Principal, pk: uuid.UUID) -> Article:
    """Archive: out of every search and list but the writers', its revisions kept."""
    return await update_article(
        session, principal, pk, ArticleFields(status=ArticleStatus.ARCHIVED)
    )
