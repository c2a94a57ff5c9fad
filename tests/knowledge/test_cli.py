"""`haven kb import` and `haven kb reindex`, run for real in a subprocess against the test
database: articles land through the service (journaled, indexing queued), by slug, and bad
input changes nothing."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from app.audit.models import AuditEntry
from app.knowledge.models import Article, EmbeddingStatus
from app.knowledge.repository import ArticleRepository
from app.knowledge.service import INDEX_JOB
from app.knowledge.sources import read_sources
from app.knowledge.tasks import index_article
from app.services import Services
from app.tenants.models import Tenant
from tests.factories import Factory
from tests.knowledge.helpers import LABELLED, labelled_set
from tests.test_cli import Haven, failure, output

REFUNDS = """---
title: Refunds for orders that never arrived
category: payments
tags: [refund, "delivery"]
status: published
---
# Where is my refund?

Ask for a refund from the order page once the delivery date has passed.
"""
TWO_FACTOR = """# Turn on two-step verification

Open **Settings > Security** and follow the steps.
"""


@pytest.fixture(scope="module")
def haven(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Haven:
    return Haven(database_url, tmp_path_factory.mktemp("haven-kb-home"))


def help_centre(folder: Path) -> Path:
    """Two articles: one with front matter at the top, one plain in a category folder."""
    (folder / "security").mkdir(parents=True)
    (folder / "Refunds.md").write_text(REFUNDS)
    (folder / "security" / "two-step.md").write_text(TWO_FACTOR)
    return folder


async def articles_of(services: Services, tenant: Tenant) -> dict[str, Article]:
    async with services.db.read() as session:
        rows = await session.scalars(select(Article).where(Article.tenant_id == tenant.id))
        return {article.slug: article for article in rows}


async def queued(services: Services, article: Article) -> int:
    """Indexing jobs queued for `article`."""
    async with services.db.read() as session:
        found = await session.scalar(
            text(
                "SELECT count(*) FROM pgqueuer WHERE entrypoint = :job "
                "AND convert_from(payload, 'UTF8')::jsonb ->> 'article_id' = :id"
            ),
            {"job": INDEX_JOB, "id": str(article.id)},
        )
    return int(found or 0)


async def kb(haven: Haven, *args: str) -> dict[str, Any]:
    return output(await haven("kb", *args, "--json"))


class TestReading:
    def test_front_matter_forms_and_a_stated_slug_as_it_will_be_stored(
        self, tmp_path: Path
    ) -> None:
        (tmp_path / "a.md").write_text(
            "\ufeff---\ntitle: 'Card declined'\nslug: Card-Declined \ntags:\n  - card\n"
            '  - "payment"\n---\nWhy a card is declined.\n'
        )
        (source,) = read_sources(tmp_path)
        assert (source.title, source.slug, source.tags) == (
            "Card declined",
            "card-declined",
            ["card", "payment"],
        )
        assert (source.content, source.category, source.status) == (
            "Why a card is declined.",
            None,  # a new article's is `general`; an existing one keeps its own
            None,
        )


class TestImport:
    async def test_a_folder_of_markdown_becomes_articles_through_the_service(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        folder = help_centre(tmp_path / "help")
        made = await kb(haven, "import", str(folder), "--tenant", tenant.slug)
        assert made == {"tenant": tenant.slug, "created": 2, "updated": 0, "unchanged": 0}

        articles = await articles_of(services, tenant)
        refunds, two_step = articles["refunds"], articles["two-step"]
        assert (refunds.title, refunds.category, refunds.tags, refunds.status) == (
            "Refunds for orders that never arrived",
            "payments",
            ["refund", "delivery"],
            "published",
        )
        assert refunds.content.startswith("# Where is my refund?")
        # No front matter: title from the heading, category from the folder, a draft.
        assert (two_step.title, two_step.category, two_step.status) == (
            "Turn on two-step verification",
            "security",
            "draft",
        )
        for article in (refunds, two_step):
            assert article.embedding_status == EmbeddingStatus.PENDING
            assert article.author_kind == "system"
            assert await queued(services, article) == 1
        async with services.db.read() as session:
            actions = await session.scalars(
                select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.id)
            )
            assert sorted(actions) == ["knowledge.created", "knowledge.created"]

    async def test_the_labelled_set_and_a_json_array_import_by_slug_and_again_change_nothing(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        count = len(labelled_set()["articles"])
        made = await kb(haven, "import", str(LABELLED), "--tenant", tenant.slug)
        assert (made["created"], made["updated"], made["unchanged"]) == (count, 0, 0)

        array = tmp_path / "articles.json"
        array.write_text(json.dumps(labelled_set()["articles"]))
        again = await kb(haven, "import", str(array), "--tenant", tenant.slug)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, count)
        articles = await articles_of(services, tenant)
        assert sorted(articles) == sorted(a["slug"] for a in labelled_set()["articles"])
        assert {article.version for article in articles.values()} == {1}

    async def test_a_changed_file_is_updated_and_its_earlier_version_kept(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        folder = help_centre(tmp_path / "help")
        await kb(haven, "import", str(folder), "--tenant", tenant.slug, "--status", "published")
        before = (await articles_of(services, tenant))["two-step"]
        (folder / "security" / "two-step.md").write_text(TWO_FACTOR + "\nUse an app, not SMS.\n")

        again = await kb(haven, "import", str(folder), "--tenant", tenant.slug)
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 1, 1)
        after = (await articles_of(services, tenant))["two-step"]
        assert (after.version, after.status) == (2, "published")  # its status is kept
        assert after.content.endswith("Use an app, not SMS.")
        assert after.embedding_status == EmbeddingStatus.PENDING
        assert await queued(services, after) == 2
        async with services.db.read() as session:
            revisions = await ArticleRepository(session, tenant.id).revisions([after.id])
        assert [(r.version, r.content) for r in revisions] == [(1, before.content)]


class TestRefusals:
    @pytest.mark.parametrize(
        ("name", "content", "says"),
        [
            ("no-title.md", "Just text, no heading.\n", "no title"),
            ("bad-status.md", "---\nstatus: live\n---\n# T\n\nx\n", "status must be one of"),
            ("typo.md", "---\ncatgory: billing\n---\n# T\n\nx\n", "line 2: expected one of"),
            ("open.md", "---\ntitle: T\n# T\n", "no closing `---`"),
        ],
    )
    async def test_a_bad_file_is_named_and_nothing_is_imported(
        self,
        haven: Haven,
        services: Services,
        factory: Factory,
        tmp_path: Path,
        name: str,
        content: str,
        says: str,
    ) -> None:
        tenant = await factory.tenant()
        folder = help_centre(tmp_path / "help")
        (folder / name).write_text(content)
        error = failure(await haven("kb", "import", str(folder), "--tenant", tenant.slug))
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"].startswith(str(folder / name)) and says in error["message"]
        assert await articles_of(services, tenant) == {}

    async def test_a_refusal_by_the_service_half_way_rolls_the_whole_import_back(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        folder = help_centre(tmp_path / "help")
        await kb(haven, "import", str(folder), "--tenant", tenant.slug)
        (folder / "security" / "two-step.md").write_text(TWO_FACTOR + "\nChanged.\n")
        (folder / "zz-bad.md").write_text("---\nslug: Not A Slug\n---\n# Bad\n\nx\n")
        (folder / "new.md").write_text("# New\n\nA new article.\n")

        error = failure(await haven("kb", "import", str(folder), "--tenant", tenant.slug))
        assert error["code"] == "VALIDATION_ERROR"
        assert str(folder / "zz-bad.md") in error["message"]
        assert "slug must be" in error["message"] and "nothing was imported" in error["message"]
        articles = await articles_of(services, tenant)
        assert sorted(articles) == ["refunds", "two-step"]
        assert articles["two-step"].version == 1

    async def test_bad_json_and_missing_fields_are_refused(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        broken = tmp_path / "broken.json"
        broken.write_text("[{")
        missing = tmp_path / "missing.json"
        missing.write_text(json.dumps([{"title": "T", "content": "x", "category": "c"}, {}]))
        twice = tmp_path / "twice.json"
        same = {"title": "T", "content": "x", "category": "c"}
        twice.write_text(json.dumps([same, same]))
        for path, says in [
            (broken, "not valid JSON"),
            (missing, "missing.json[1]: title is required"),
            (twice, "twice.json[1]: the slug 't' is also"),
            (tmp_path / "nowhere", "not a folder of Markdown files"),
        ]:
            error = failure(await haven("kb", "import", str(path), "--tenant", tenant.slug))
            assert error["code"] == "VALIDATION_ERROR" and says in error["message"], error
        assert await articles_of(services, tenant) == {}

    async def test_the_tenant_must_be_named_when_there_are_several(
        self, haven: Haven, factory: Factory, tmp_path: Path
    ) -> None:
        await factory.tenant()
        await factory.tenant()
        folder = help_centre(tmp_path / "help")
        error = failure(await haven("kb", "import", str(folder)))
        assert error["code"] == "VALIDATION_ERROR" and "--tenant is required" in error["message"]
        unknown = failure(await haven("kb", "import", str(folder), "--tenant", "no-such-tenant"))
        assert unknown["code"] == "NOT_FOUND"


class TestReindex:
    async def test_reindex_marks_every_article_pending_and_queues_its_indexing(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        await kb(haven, "import", str(help_centre(tmp_path / "help")), "--tenant", tenant.slug)
        for article in (await articles_of(services, tenant)).values():
            assert await index_article(services, services.embedder, article.id)
        indexed = await articles_of(services, tenant)
        assert {a.embedding_status for a in indexed.values()} == {EmbeddingStatus.INDEXED}

        done = await kb(haven, "reindex", "--tenant", tenant.slug)
        assert done == {"tenants": 1, "queued": 2}
        for slug, article in (await articles_of(services, tenant)).items():
            assert article.embedding_status == EmbeddingStatus.PENDING
            assert article.updated_at == indexed[slug].updated_at  # not an edit
            assert await queued(services, article) == 2  # the import's job, and this one

    async def test_reindex_now_indexes_in_the_foreground(
        self, haven: Haven, services: Services, factory: Factory, tmp_path: Path
    ) -> None:
        tenant = await factory.tenant()
        await kb(haven, "import", str(help_centre(tmp_path / "help")), "--tenant", tenant.slug)
        result = await haven("kb", "reindex", "--tenant", tenant.slug, "--now", "--json")
        assert output(result) == {"tenants": 1, "queued": 2, "indexed": 2, "failed": 0}
        assert "2/2 articles indexed" in result.stderr  # the plain count off a terminal
        async with services.db.read() as session:
            chunks = await session.scalar(
                text("SELECT count(*) FROM knowledge_chunks WHERE tenant_id = :tenant"),
                {"tenant": tenant.id},
            )
        articles = await articles_of(services, tenant)
        assert {a.embedding_status for a in articles.values()} == {EmbeddingStatus.INDEXED}
        assert chunks and chunks >= 2
