"""Hybrid search as a help-centre team sees it: the article that answers, in the customer's
words or the article's, from the tenant's own published articles only."""

from app.knowledge.search import Scope, search
from app.knowledge.tasks import index_article
from app.services import Services
from tests.factories import Factory
from tests.knowledge.helpers import labelled_set, write, written_and_indexed


async def test_a_paraphrase_finds_the_article_that_answers_it(
    services: Services, factory: Factory
) -> None:
    tenant = await factory.tenant()
    articles = labelled_set()["articles"][:12]
    for article in articles:
        await written_and_indexed(
            services,
            tenant.id,
            title=article["title"],
            content=article["content"],
            category=article["category"],
            slug=article["slug"],
        )
    slugs = {article["slug"] for article in articles}
    queries = [
        query
        for query in labelled_set()["queries"]
        if query["kind"] == "paraphrase"
        and any(grade == 3 and slug in slugs for slug, grade in query["relevant"].items())
    ]
    assert queries
    hits_at_3 = 0
    async with services.db.read() as session:
        for query in queries:
            found = await search(
                session, services.embedder, Scope(tenant.id), query["query"], limit=3
            )
            answer = next(slug for slug, grade in query["relevant"].items() if grade == 3)
            hits_at_3 += answer in [hit.article.slug for hit in found.hits]
            assert all(0 <= hit.similarity <= 1 for hit in found.hits)
            assert found.query_tokens > 0
    assert hits_at_3 / len(queries) >= 0.7, (hits_at_3, len(queries))


async def test_drafts_and_other_tenants_never_appear(services: Services, factory: Factory) -> None:
    mine, theirs = await factory.tenant(), await factory.tenant()
    policy = {"title": "Refund policy", "content": "Refunds within 30 days."}
    await written_and_indexed(services, theirs.id, **policy)
    draft = await write(services, mine.id, **policy, status="draft")
    assert await index_article(services, services.embedder, draft.id)
    async with services.db.read() as session:
        found = await search(session, services.embedder, Scope(mine.id), "refund policy", limit=10)
    assert found.hits == []
