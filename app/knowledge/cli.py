"""`haven kb import` and `haven kb reindex`: load a help centre's articles, and index every
article again after a change of embedder.

Imports go through app.knowledge.service like any other write (a revision kept, journaled as
the operator, indexing enqueued); the whole import is one transaction, so a refused article
leaves the tenant exactly as it was. The app's heavier modules load inside the commands, so
`haven --help` stays instant."""

import argparse
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from app.kit.settings import Settings

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.ext.asyncio import AsyncSession

    from app.auth.principal import Principal
    from app.knowledge.sources import Source
    from app.services import Services
    from app.tenants.models import Tenant

Job = Callable[["Services"], Awaitable[dict[str, Any]]]
# Runs a job with the app's services and prints what it returns (app.cli's `_report`).
Report = Callable[[argparse.Namespace, Settings, Job], None]


class Progress:
    """Where a long command is, on stderr (stdout is for its result): a bar redrawn in place
    on a terminal, otherwise a plain count every tenth of the way, which reads well in logs."""

    WIDTH = 30

    def __init__(self, total: int, what: str, stream: TextIO | None = None) -> None:
        self.total, self.what, self.done = total, what, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.step = max(1, total // 10)

    def advance(self) -> None:
        self.done += 1
        if self.tty:
            filled = self.WIDTH * self.done // max(1, self.total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {self.what}{end}")
        elif self.done % self.step == 0 or self.done == self.total:
            self.stream.write(f"{self.done}/{self.total} {self.what}\n")
        self.stream.flush()


async def _tenants(session: "AsyncSession", slug: str | None, *, every: bool) -> list["Tenant"]:
    """The tenant `slug`; without one, the only tenant there is (or, if `every`, them all)."""
    from sqlalchemy import select

    from app.kit.errors import NotFound, ValidationFailed
    from app.tenants.models import Tenant
    from app.tenants.repository import by_slug

    if slug is not None:
        tenant = await by_slug(session, slug)
        if tenant is None:
            raise NotFound("Tenant")
        return [tenant]
    found = list(await session.scalars(select(Tenant).order_by(Tenant.slug)))
    if not every and len(found) != 1:
        raise ValidationFailed(
            f"--tenant is required: there are {len(found)} tenants", field="tenant"
        )
    return found


def _operator(tenant: "Tenant") -> "Principal":
    """Whoever runs the command, as a tenant administrator: journaled as the system."""
    from app.auth.models import Role
    from app.auth.principal import Principal
    from app.kit.actors import ActorKind

    return Principal(tenant.id, Role.ADMIN, ActorKind.SYSTEM, tenant.id, "operator")


async def import_articles(
    services: "Services", sources: list["Source"], slug: str | None, status: str | None
) -> dict[str, Any]:
    """Create what is new, update what changed (a revision kept), skip what is the same, by
    slug. `status` applies to articles that state none; without it a new article is a draft
    and an existing one keeps its status."""
    from app.kit.errors import HavenError
    from app.knowledge.repository import ArticleRepository
    from app.knowledge.service import ArticleFields, create_article, update_article
    from app.knowledge.sources import DEFAULT_CATEGORY

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    progress = Progress(len(sources), "articles")
    async with services.db.transaction() as work:
        (tenant,) = await _tenants(work.session, slug, every=False)
        operator = _operator(tenant)
        articles = ArticleRepository(work.session, tenant.id)
        for source in sources:
            fields = ArticleFields(
                title=source.title,
                content=source.content,
                category=source.category,
                tags=source.tags,
                status=source.status or status,
                slug=source.slug,
            )
            try:
                existing = await articles.by_slug(source.slug)
                if existing is None:
                    category = fields.category or DEFAULT_CATEGORY
                    await create_article(work.session, operator, replace(fields, category=category))
                    counts["created"] += 1
                else:
                    before = existing.version
                    after = await update_article(work.session, operator, existing.id, fields)
                    counts["updated" if after.version != before else "unchanged"] += 1
            except HavenError as error:
                error.message = f"{source.origin}: {error.message}; nothing was imported"
                raise
            progress.advance()
    return {"tenant": tenant.slug, **counts}


async def reindex(services: "Services", slug: str | None, *, now: bool) -> dict[str, Any]:
    """Mark the articles of the tenant (or of every tenant) pending and queue their indexing;
    with `now`, index them here as well. The queued jobs stay either way, so an article keeps
    a job until it is indexed even if this command stops half-way; those of articles indexed
    here find nothing left to do."""
    from sqlalchemy import update

    from app.jobs.queue import enqueue
    from app.knowledge.models import Article, EmbeddingStatus
    from app.knowledge.service import INDEX_JOB

    async with services.db.transaction() as work:
        tenants = await _tenants(work.session, slug, every=True)
        marked = await work.session.scalars(
            update(Article)
            .where(Article.tenant_id.in_([tenant.id for tenant in tenants]))
            # Indexing is not an edit: `updated_at` stays as it was.
            .values(
                embedding_status=EmbeddingStatus.PENDING,
                embedding_error=None,
                updated_at=Article.updated_at,
            )
            .returning(Article.id)
        )
        article_ids = list(marked)
        for article_id in article_ids:
            await enqueue(work.session, INDEX_JOB, {"article_id": str(article_id)})
    result: dict[str, Any] = {"tenants": len(tenants), "queued": len(article_ids)}
    if now:
        result |= await _index_now(services, article_ids)
    return result


async def _index_now(services: "Services", article_ids: list["uuid.UUID"]) -> dict[str, int]:
    from app.knowledge.tasks import index_article

    progress = Progress(len(article_ids), "articles indexed")
    failed = 0
    for article_id in article_ids:
        failed += not await index_article(services, services.embedder, article_id)
        progress.advance()
    return {"indexed": len(article_ids) - failed, "failed": failed}


def _import(report: Report) -> Callable[[argparse.Namespace, Settings], None]:
    def handler(args: argparse.Namespace, settings: Settings) -> None:
        from app.knowledge.sources import read_sources

        # Read and checked before the database is touched: a bad file costs nothing.
        sources = read_sources(Path(args.path))
        report(
            args,
            settings,
            lambda services: import_articles(services, sources, args.tenant, args.status),
        )

    return handler


def _reindex(report: Report) -> Callable[[argparse.Namespace, Settings], None]:
    def handler(args: argparse.Namespace, settings: Settings) -> None:
        report(args, settings, lambda services: reindex(services, args.tenant, now=args.now))

    return handler


def kb_parser(actions: Any, report: Report) -> None:
    """`kb import` and `kb reindex`, under `actions` (the `kb` command's sub-commands)."""
    summary = "import articles from a folder of Markdown files or a JSON array, by slug"
    load = actions.add_parser("import", help=summary, description=summary)
    load.add_argument(
        "path",
        help="a folder of .md files (front matter: title, category, tags, slug, status), "
        "a .md file, or a .json array of {title, content, category, tags, slug, status}",
    )
    load.add_argument("--tenant", help="tenant slug (may be left out when there is one tenant)")
    load.add_argument(
        "--status",
        choices=["published", "draft"],
        help="status of articles that state none (default: new ones are drafts, "
        "existing ones keep theirs)",
    )
    _json_option(load).set_defaults(handler=_import(report))

    summary = "mark articles pending and queue their indexing again (after an embedder change)"
    again = actions.add_parser("reindex", help=summary, description=summary)
    again.add_argument("--tenant", help="tenant slug (default: every tenant)")
    again.add_argument(
        "--now", action="store_true", help="also index here and now, with a progress bar"
    )
    _json_option(again).set_defaults(handler=_reindex(report))


def _json_option(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
    command.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return command
