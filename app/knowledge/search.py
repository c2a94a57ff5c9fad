"""Hybrid search over a tenant's knowledge chunks: full text and vectors, fused, then one
result per article (its best chunk, whose text is the preview).

- Full text: PostgreSQL's `websearch_to_tsquery` over title (weight A), heading (B) and body
  (C), with English stemming, through a GIN index on (tenant, search document) so that only
  the tenant's matches are read. All words must match, which keeps its list short and
  precise: turned into an OR query it drowned paraphrases in loose matches (nDCG@10 on
  paraphrases fell from 0.69 to 0.57 once fused).
- Vectors: the embedder's cosine distance. When the search's scope (the tenant's chunks in
  the statuses and category asked for) holds at most EXACT_MAX chunks, the list is exact:
  every chunk in scope is compared, read from a B-tree that carries the vectors
  (app.knowledge.index). A larger scope goes through the HNSW index, with iterative scans so
  the filters apply inside the index scan. The scope's size is counted through a B-tree on
  the scope that stops counting at EXACT_MAX + 1.
- Fusion: reciprocal rank fusion (k = 60) of the two lists of chunks; an article ranks by its
  best chunk.
- Each article's `similarity` (0-1) is a calibrated probability that it is relevant to the
  query, from its best cosine and whether the full text matched it too (see `calibrated`), so
  one threshold means the same for every query. Results are ordered by it, the fused rank
  breaking ties; the preview is the article's best chunk by fused rank."""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from app.knowledge.embedders import Embedder
from app.knowledge.index import scan_settings, vector_expression
from app.knowledge.models import Article, ArticleStatus, Chunk

# Chunks taken from each list before fusing: enough that an article whose best chunk ranks low
# in one list still meets its other chunks in the other.
CANDIDATES = 50
RRF_K = 60
# Exact search costs in proportion to the chunks in scope; HNSW in proportion to how little of
# the whole graph is the tenant's, since its scan must pass over other tenants' chunks. On
# 100,000 chunks (`python -m bench knowledge`), exact took p95 13 ms for 12,000 chunks, where
# HNSW took 17; HNSW took 15 ms for 18,000 chunks, where exact took 18.
EXACT_MAX = 15_000
# Fitted on bench/knowledge_set.json by `python -m bench knowledge --calibrate` (logistic
# regression of "relevant at all", grade 1 to 3, on the best chunk's cosine and a full-text
# match).
CALIBRATION = {"local/wordllama-l2_supercat-256": (-5.44, 9.61, 0.43)}
# For an embedder not calibrated here: cosine alone, centred where unrelated text falls.
UNCALIBRATED = (-6.0, 10.0, 1.5)


@dataclass(frozen=True)
class Scope:
    """Which chunks a search reads: the tenant's, in these statuses (published only, unless a
    writer searches drafts too), optionally of one category."""

    tenant_id: uuid.UUID
    statuses: tuple[str, ...] = (ArticleStatus.PUBLISHED,)
    category: str | None = None


@dataclass(frozen=True)
class Hit:
    article: Article
    chunk: Chunk
    similarity: float


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    query_tokens: int


@dataclass(frozen=True)
class Ranked:
    """A chunk in one of the two lists; its cosine when it is in the vector list."""

    chunk_id: uuid.UUID
    article_id: uuid.UUID
    cosine: float = 0.0


@dataclass
class Candidate:
    """An article among the candidates: its best chunk by fused rank, its best cosine, and
    whether the full text matched any of its chunks."""

    article_id: uuid.UUID
    chunk_id: uuid.UUID
    fused: float
    cosine: float
    text_match: bool


def calibrated(model: str, cosine: float, text_match: bool) -> float:
    bias, weight, matched = CALIBRATION.get(model, UNCALIBRATED)
    score = bias + weight * cosine + (matched if text_match else 0.0)
    return round(1.0 / (1.0 + math.exp(-score)), 4)


def _filters(scope: Scope) -> str:
    where = "c.tenant_id = :tenant AND c.status = ANY(:statuses)"
    return where + (" AND c.category = :category" if scope.category is not None else "")


def _parameters(scope: Scope, **more: object) -> dict[str, object]:
    found: dict[str, object] = {
        "tenant": scope.tenant_id,
        "statuses": list(scope.statuses),
        "limit": CANDIDATES,
        **more,
    }
    if scope.category is not None:
        found["category"] = scope.category
    return found


async def text_ranks(session: AsyncSession, scope: Scope, query: str) -> list[Ranked]:
    """The full-text list, best first."""
    statement = text(
        "SELECT c.id, c.article_id FROM knowledge_chunks c, "
        "websearch_to_tsquery('english', :query) q "
        f"WHERE {_filters(scope)} AND c.search @@ q "
        "ORDER BY ts_rank_cd(c.search, q) DESC, c.id LIMIT :limit"
    )
    rows = await session.execute(statement, _parameters(scope, query=query))
    return [Ranked(row.id, row.article_id) for row in rows]


async def scope_size(session: AsyncSession, scope: Scope) -> int:
    """How many chunks the scope holds, counted up to EXACT_MAX + 1. The embedder's model and
    vector size are left out: only a change of embedder makes them differ, and without them
    the count reads the scope's B-tree alone."""
    statement = text(
        "SELECT count(*) FROM "
        f"(SELECT 1 FROM knowledge_chunks c WHERE {_filters(scope)} LIMIT :bound) scoped"
    )
    parameters = _parameters(scope, bound=EXACT_MAX + 1)
    return int((await session.execute(statement, parameters)).scalar_one())


async def vector_ranks(
    session: AsyncSession, scope: Scope, model: str, vector: list[float]
) -> list[Ranked]:
    """The vector list, nearest first: exact for a scope of at most EXACT_MAX chunks, through
    HNSW above."""
    dimensions = len(vector)
    where = f"{_filters(scope)} AND c.dimensions = {dimensions} AND c.model = :model"
    if await scope_size(session, scope) <= EXACT_MAX:
        # Every chunk in scope is compared. The HNSW index is on `embedding::vector(N)`, so a
        # distance from the column itself can never be ordered through it.
        distance = "c.embedding <=> CAST(:vector AS vector)"
        order = f"{distance}, c.id"
    else:
        await scan_settings(session)
        distance = f"{vector_expression(dimensions)} <=> CAST(:vector AS vector({dimensions}))"
        order = distance
    statement = (
        f"SELECT c.id, c.article_id, {distance} AS distance FROM knowledge_chunks c "
        f"WHERE {where} ORDER BY {order} LIMIT :limit"
    )
    parameters = _parameters(scope, model=model, vector=str(vector))
    rows = await session.execute(text(statement), parameters)
    found = [Ranked(row.id, row.article_id, 1.0 - float(row.distance)) for row in rows]
    # Relaxed iterative scans may hand rows back slightly out of order; the ranks must not be.
    return sorted(found, key=lambda ranked: ranked.cosine, reverse=True)


def fuse(*ranked: Sequence[uuid.UUID]) -> dict[uuid.UUID, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) for each chunk it holds."""
    scores: dict[uuid.UUID, float] = {}
    for ranking in ranked:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return scores


def candidates(lexical: list[Ranked], semantic: list[Ranked]) -> dict[uuid.UUID, Candidate]:
    """The articles of the two lists' chunks, by article."""
    scores = fuse([r.chunk_id for r in lexical], [r.chunk_id for r in semantic])
    cosines = {r.chunk_id: r.cosine for r in semantic}
    matched = {r.chunk_id for r in lexical}
    found: dict[uuid.UUID, Candidate] = {}
    for ranked in (*lexical, *semantic):
        chunk_id, fused = ranked.chunk_id, scores[ranked.chunk_id]
        cosine, text_match = cosines.get(chunk_id, 0.0), chunk_id in matched
        known = found.get(ranked.article_id)
        if known is None:
            found[ranked.article_id] = Candidate(
                ranked.article_id, chunk_id, fused, cosine, text_match
            )
            continue
        if fused > known.fused:
            known.chunk_id, known.fused = chunk_id, fused
        known.cosine = max(known.cosine, cosine)
        known.text_match = known.text_match or text_match
    return found


def rated(model: str, found: dict[uuid.UUID, Candidate]) -> list[tuple[float, Candidate]]:
    """The candidates with their similarity, best first, the fused score breaking ties."""
    scored = [
        (calibrated(model, candidate.cosine, candidate.text_match), candidate)
        for candidate in found.values()
    ]
    return sorted(
        scored, key=lambda pair: (pair[0], pair[1].fused, pair[1].article_id), reverse=True
    )


async def load_hits(
    session: AsyncSession, scope: Scope, kept: list[tuple[float, Candidate]]
) -> list[Hit]:
    """The kept articles with their best chunks, in one query; the chunks' vectors and search
    documents are the larger part of their rows and are not needed."""
    rows = await session.execute(
        select(Article, Chunk)
        .join(Chunk, Chunk.article_id == Article.id)
        .options(defer(Chunk.embedding), defer(Chunk.search))
        .where(
            Article.tenant_id == scope.tenant_id,
            Chunk.tenant_id == scope.tenant_id,
            Chunk.id.in_([candidate.chunk_id for _, candidate in kept]),
        )
    )
    loaded = {chunk.id: (article, chunk) for article, chunk in rows}
    return [
        Hit(*loaded[candidate.chunk_id], similarity)
        for similarity, candidate in kept
        if candidate.chunk_id in loaded
    ]


async def search(
    session: AsyncSession,
    embedder: Embedder,
    scope: Scope,
    query: str,
    *,
    limit: int,
    threshold: float = 0.0,
) -> Found:
    """The `limit` articles most likely to be relevant to `query`, at or above `threshold`,
    best first; each with its best chunk for a preview."""
    embedded = await embedder.embed([query])
    lexical = await text_ranks(session, scope, query)
    semantic = await vector_ranks(session, scope, embedder.model, embedded.vectors[0])
    found = rated(embedder.model, candidates(lexical, semantic))
    kept = [(similarity, c) for similarity, c in found if similarity >= threshold][:limit]
    return Found(await load_hits(session, scope, kept) if kept else [], embedded.tokens)
