"""The two ways search finds a tenant's nearest chunks, exact (a small scope) and through the
HNSW index (a large one): the same articles either way, under the same filters, and each side
of the cut-off finds what it holds."""

import uuid
from typing import Any

import pytest

from app.knowledge import search as knowledge
from app.knowledge.models import ArticleStatus
from app.knowledge.search import Found, Scope, search
from app.knowledge.tasks import index_article
from app.services import Services
from tests.factories import Factory
from tests.knowledge.helpers import labelled_set, write, written_and_indexed
from tests.knowledge.seeds import ESCALATION, HARASSMENT, SUBSCRIPTION

# EXACT_MAX patched to each: no scope is small enough for exact search, or every scope is.
PATHS = {"hnsw": 0, "exact": 10**9}


async def searched(
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    scope: Scope,
    query: str,
    limit: int = 10,
) -> Found:
    monkeypatch.setattr(knowledge, "EXACT_MAX", PATHS[path])
    async with services.db.read() as session:
        return await search(session, services.embedder, scope, query, limit=limit)


def titles(found: Found) -> list[str]:
    return [hit.article.title for hit in found.hits]


async def test_both_paths_rank_a_small_help_centre_alike(
    services: Services, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await factory.tenant()
    articles: list[dict[str, Any]] = labelled_set()["articles"][:12]
    for article in articles:
        fields = {key: article[key] for key in ("title", "content", "category", "slug")}
        await written_and_indexed(services, tenant.id, **fields)
    slugs = {article["slug"] for article in articles}
    queries = [
        query["query"]
        for query in labelled_set()["queries"]
        if any(slug in slugs for slug in query["relevant"])
    ][:20]
    assert len(queries) == 20
    for query in queries:
        exact = await searched(services, monkeypatch, "exact", Scope(tenant.id), query)
        graph = await searched(services, monkeypatch, "hnsw", Scope(tenant.id), query)
        assert exact.hits, query
        assert [(h.article.slug, h.similarity) for h in graph.hits] == [
            (h.article.slug, h.similarity) for h in exact.hits
        ], query
        assert [h.chunk.id for h in graph.hits] == [h.chunk.id for h in exact.hits], query


@pytest.mark.parametrize("path", PATHS)
async def test_tenant_status_and_category_filters_hold_on_each_path(
    services: Services, factory: Factory, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    mine, theirs = await factory.tenant(), await factory.tenant()
    await written_and_indexed(services, theirs.id, **HARASSMENT)
    policy = await written_and_indexed(services, mine.id, **HARASSMENT)
    escalation = await written_and_indexed(services, mine.id, **ESCALATION)
    draft = await write(
        services,
        mine.id,
        title="Harassment reports: the new form",
        category="policies",
        content="Report harassment with the new form from any profile.",
        status="draft",
    )
    assert await index_article(services, services.embedder, draft.id)

    published = await searched(services, monkeypatch, path, Scope(mine.id), "harassment")
    assert set(titles(published)) >= {policy.title, escalation.title}
    assert draft.title not in titles(published)
    assert all(hit.article.tenant_id == mine.id for hit in published.hits)

    writers = Scope(mine.id, statuses=(ArticleStatus.PUBLISHED, ArticleStatus.DRAFT))
    with_drafts = await searched(services, monkeypatch, path, writers, "harassment")
    assert draft.title in titles(with_drafts)

    policies = Scope(mine.id, category="policies")
    in_category = await searched(services, monkeypatch, path, policies, "harassment")
    assert titles(in_category) == [policy.title]

    nobody = await searched(services, monkeypatch, path, Scope(uuid.uuid4()), "harassment")
    assert nobody.hits == []


async def test_scopes_either_side_of_the_cut_off_find_their_articles(
    services: Services, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = await factory.tenant(), await factory.tenant()
    await written_and_indexed(services, small.id, **SUBSCRIPTION)
    await written_and_indexed(services, large.id, **SUBSCRIPTION)
    for article in labelled_set()["articles"][:4]:
        fields = {key: article[key] for key in ("title", "content", "category", "slug")}
        await written_and_indexed(services, large.id, **fields)
    monkeypatch.setattr(knowledge, "EXACT_MAX", 3)
    async with services.db.read() as session:
        # The premise: one scope at or below the cut-off, the other above it.
        assert await knowledge.scope_size(session, Scope(small.id)) <= 3
        assert await knowledge.scope_size(session, Scope(large.id)) == 4
        for tenant in (small, large):
            found = await search(
                session, services.embedder, Scope(tenant.id), "billing portal", limit=3
            )
            assert titles(found)[0] == SUBSCRIPTION["title"]
            assert all(hit.article.tenant_id == tenant.id for hit in found.hits)
