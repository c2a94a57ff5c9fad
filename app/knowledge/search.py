"""Hybrid search over a tenant's knowledge chunks: full text and vectors, fused, then one
result per article (its best chunk, whose text is the preview).

- Full text: PostgreSQL's `websearch_to_tsquery` over title (weight A), heading (B) and body
  (C), with English stemming. All words must match, which keeps its list short and precise:
  turned into an OR query it drowned paraphrases in loose matches (nDCG@10 on paraphrases fell
  from 0.69 to 0.57 once fused).
- Vectors: the embedder's cosine distance through the HNSW index, with iterative scans so the
  tenant, status and category filters apply inside the index scan.
- Fusion: reciprocal rank fusion (k = 60) of the two lists of chunks; an article ranks by its
  best chunk.
- Each article's `similarity` (0-1) is a calibrated probability that it answers the query,
  from its best cosine and whether the full text matched it too (see `calibrated`), so one
  threshold means the same for every query. Results are ordered by it, the fused rank
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
# Fitted on bench/knowledge_set.json by `python -m bench knowledge --calibrate` (logistic
# regression of "grade 2 or 3" on the best chunk's cosine and a full-text match).
CALIBRATION = {"local/wordllama-l2_supercat-256": (-6.04, 9.64, 0.40)}
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


def calibrated(model: str, cosine: float, text_match: bool) -> float:
    bias, weight, matched = CALIBRATION.get(model, UNCALIBRATED)
    score = bias + weight * cosine + (matched if text_match else 0.0)
    return round(1.0 / (1.0 + math.exp(-score)), 4)


def _filters(scope: Scope) -> str:
    where = "c.tenant_id = :tenant AND c.status = ANY(:statuses)"
    return where + (" AND c.category = :category" if scope.category is not None else "")


async def _text_ranks(session: AsyncSession, scope: Scope, query: str) -> list[uuid.UUID]:
    statement = text(
        "SELECT c.id FROM knowledge_chunks c, websearch_to_tsquery('english', :query) q "
        f"WHERE {_filters(scope)} AND c.search @@ q "
        "ORDER BY ts_rank_cd(c.search, q) DESC, c.id LIMIT :limit"
    )
    rows = await session.execute(statement, _parameters(scope, query=query))
    return [row.id for row in rows]


async def _vector_ranks(
    session: AsyncSession, scope: Scope, model: str, vector: list[float]
) -> list[tuple[uuid.UUID, float]]:
    dimensions = len(vector)
    distance = f"{vector_expression(dimensions)} <=> CAST(:vector AS vector({dimensions}))"
    statement = text(
        f"SELECT c.id, {distance} AS distance FROM knowledge_chunks c "
        f"WHERE {_filters(scope)} AND c.dimensions = {dimensions} AND c.model = :model "
        f"ORDER BY {distance} LIMIT :limit"
    )
    await scan_settings(session)
    parameters = _parameters(scope, model=model, vector=str(vector))
    found = [
        (row.id, 1.0 - float(row.distance)) for row in await session.execute(statement, parameters)
    ]
    # Relaxed iterative scans may hand rows back slightly out of order; the ranks must not be.
    return sorted(found, key=lambda pair: pair[1], reverse=True)


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


def fuse(*ranked: Sequence[uuid.UUID]) -> dict[uuid.UUID, float]:
    """Reciprocal rank fusion: each list adds 1 / (k + rank) for each chunk it holds."""
    scores: dict[uuid.UUID, float] = {}
    for ranking in ranked:
        for rank, chunk_id in enumerate(ranking, start=1):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    return scores


@dataclass
class _Candidate:
    """An article among the candidates: its best chunk by fused rank, its best cosine, and
    whether the full text matched any of its chunks."""

    chunk: Chunk
    fused: float
    cosine: float
    text_match: bool


async def _candidates(
    session: AsyncSession,
    scope: Scope,
    scores: dict[uuid.UUID, float],
    cosines: dict[uuid.UUID, float],
    lexical: set[uuid.UUID],
) -> dict[uuid.UUID, _Candidate]:
    # The vector and tsvector are the larger part of a chunk row and are not needed here.
    rows = await session.scalars(
        select(Chunk)
        .options(defer(Chunk.embedding), defer(Chunk.search))
        .where(Chunk.tenant_id == scope.tenant_id, Chunk.id.in_(list(scores)))
    )
    found: dict[uuid.UUID, _Candidate] = {}
    for chunk in rows:
        cosine = cosines.get(chunk.id, 0.0)
        matched = chunk.id in lexical
        known = found.get(chunk.article_id)
        if known is None:
            found[chunk.article_id] = _Candidate(chunk, scores[chunk.id], cosine, matched)
            continue
        if scores[chunk.id] > known.fused:
            known.chunk, known.fused = chunk, scores[chunk.id]
        known.cosine = max(known.cosine, cosine)
        known.text_match = known.text_match or matched
    return found


async def search(
    session: AsyncSession,
    embedder: Embedder,
    scope: Scope,
    query: str,
    *,
    limit: int,
    threshold: float = 0.0,
) -> Found:
    """The `limit` articles most likely to answer `query`, at or above `threshold`, best
    first; each with its best chunk for a preview."""
    embedded = await embedder.embed([query])
    lexical = await _text_ranks(session, scope, query)
    semantic = await _vector_ranks(session, scope, embedder.model, embedded.vectors[0])
    scores = fuse(lexical, [chunk_id for chunk_id, _ in semantic])
    candidates = await _candidates(session, scope, scores, dict(semantic), set(lexical))
    rated = sorted(
        (
            (calibrated(embedder.model, found.cosine, found.text_match), found.fused, article_id)
            for article_id, found in candidates.items()
        ),
        reverse=True,
    )
    kept = [
        (similarity, article_id) for similarity, _, article_id in rated if similarity >= threshold
    ]
    kept = kept[:limit]
    articles = {
        article.id: article
        for article in await session.scalars(
            select(Article).where(
                Article.tenant_id == scope.tenant_id,
                Article.id.in_([article_id for _, article_id in kept]),
            )
        )
    }
    hits = [
        Hit(articles[article_id], candidates[article_id].chunk, similarity)
        for similarity, article_id in kept
        if article_id in articles
    ]
    return Found(hits, embedded.tokens)
