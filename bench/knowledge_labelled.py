"""The labelled help-centre set (bench/knowledge_set.json) in a fresh tenant, and the ranked
lists the search code makes of each query.

Every list comes from app.knowledge.search's own functions (its full-text and vector SQL, its
fusion, its per-article candidates, `search` itself), so the figures describe the shipped
code rather than a copy of it."""

import json
import math
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.knowledge import search as knowledge
from app.knowledge.cli import import_articles
from app.knowledge.embedders import Embedder
from app.knowledge.models import Article, Chunk
from app.knowledge.sources import read_sources
from app.knowledge.tasks import index_article
from app.services import Services
from app.tenants.service import create_tenant
from bench import report
from bench.environment import Environment

LABELLED = Path(__file__).with_name("knowledge_set.json")
TOP = 10
# Grades at or above this count as relevant to the query (the calibration's target).
RELEVANT = 1


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    kind: str  # keyword or paraphrase
    relevant: dict[str, int]  # slug: grade 1-3


@dataclass(frozen=True)
class Candidate:
    """An article among a query's search candidates, with what the calibration can use."""

    slug: str
    cosine: float
    text_match: bool
    fused: float
    lexical_rank: int | None  # its best chunk's place in the full-text list

    def features(self) -> list[float]:
        reciprocal = 1.0 / self.lexical_rank if self.lexical_rank else 0.0
        return [self.cosine, float(self.text_match), reciprocal]


@dataclass(frozen=True)
class Rankings:
    """A query's articles, best first, as each method ranks them."""

    text: list[str]
    vector: list[str]
    fused: list[str]
    shipped: list[str]
    candidates: list[Candidate]


def queries() -> list[Query]:
    loaded = json.loads(LABELLED.read_text())["queries"]
    return [Query(q["id"], q["query"], q["kind"], q["relevant"]) for q in loaded]


async def load_labelled(services: Services) -> uuid.UUID:
    """A new tenant holding the labelled articles, published, imported as `haven kb import`
    does and indexed by the indexing job's own code."""
    async with services.db.transaction() as work:
        made = await create_tenant(
            work.session, name=f"Labelled {uuid.uuid4().hex[:8]}", admin_email="kb@bench.example"
        )
    tenant_id, slug = made.tenant.id, made.tenant.slug
    await import_articles(services, read_sources(LABELLED), slug, "published")
    async with services.db.read() as session:
        ids = list(await session.scalars(select(Article.id).where(Article.tenant_id == tenant_id)))
    for article_id in ids:
        assert await index_article(services, services.embedder, article_id)
    return tenant_id


async def chunk_slugs(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Chunk.id, Article.slug)
        .join(Article, Article.id == Chunk.article_id)
        .where(Chunk.tenant_id == tenant_id)
    )
    return {row.id: row.slug for row in rows}


def _articles(chunk_ids: list[uuid.UUID], slugs: dict[uuid.UUID, str]) -> list[str]:
    """Articles in the order of their first chunk in the list."""
    return list(dict.fromkeys(slugs[chunk_id] for chunk_id in chunk_ids))


async def rankings(
    session: AsyncSession,
    embedder: Embedder,
    tenant_id: uuid.UUID,
    slugs: dict[uuid.UUID, str],
    query: str,
) -> Rankings:
    scope = knowledge.Scope(tenant_id)
    vector = (await embedder.embed([query])).vectors[0]
    lexical = await knowledge.text_ranks(session, scope, query)
    semantic = await knowledge.vector_ranks(session, scope, embedder.model, vector)
    found = knowledge.candidates(lexical, semantic)
    first_in_text: dict[str, int] = {}
    for rank, ranked in enumerate(lexical, start=1):
        first_in_text.setdefault(slugs[ranked.chunk_id], rank)
    candidates = [
        Candidate(
            slugs[c.chunk_id], c.cosine, c.text_match, c.fused, first_in_text.get(slugs[c.chunk_id])
        )
        for c in found.values()
    ]
    shipped = await knowledge.search(session, embedder, scope, query, limit=TOP)
    return Rankings(
        text=_articles([ranked.chunk_id for ranked in lexical], slugs),
        vector=_articles([ranked.chunk_id for ranked in semantic], slugs),
        fused=[c.slug for c in sorted(candidates, key=lambda c: c.fused, reverse=True)],
        shipped=[hit.article.slug for hit in shipped.hits],
        candidates=candidates,
    )


def ndcg(ranked: list[str], relevant: dict[str, int]) -> float:
    """nDCG@10 with graded gain 2^grade - 1."""

    def dcg(grades: list[int]) -> float:
        return sum((2**grade - 1) / math.log2(place + 2) for place, grade in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:TOP])
    return dcg([relevant.get(slug, 0) for slug in ranked[:TOP]]) / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: dict[str, int]) -> float:
    """Share of the query's relevant articles (any grade) in the first 10."""
    return len(set(ranked[:TOP]) & set(relevant)) / len(relevant) if relevant else 0.0


@dataclass(frozen=True)
class Labelled:
    model: str  # the embedder's, which `CALIBRATION` is keyed by
    ranked: list[tuple[Query, Rankings]]


async def labelled_rankings(env: Environment) -> Labelled:
    """Every labelled query with its rankings, from a fresh tenant of `env`, by the configured
    embedder."""
    services = env.services()
    try:
        started = time.perf_counter()
        tenant_id = await load_labelled(services)
        report.figure("import and index the articles", f"{time.perf_counter() - started:.1f} s")
        async with services.db.read() as session:
            slugs = await chunk_slugs(session, tenant_id)
            report.figure("chunks", str(len(slugs)))
            ranked = [
                (query, await rankings(session, services.embedder, tenant_id, slugs, query.text))
                for query in queries()
            ]
        return Labelled(services.embedder.model, ranked)
    finally:
        await services.close()
