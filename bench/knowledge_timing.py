"""Timing knowledge search without the query's embedding: the vectors of the labelled queries
are computed once, and `search` gets them from a stand-in embedder.

Each timed call runs in its own session, as an API request does (a pooled connection, one
transaction). Besides `search` itself, each of its parts is timed alone: the full-text list,
the vector list, and the loading of the candidate chunks (the lists computed beforehand, not
timed), the last also without the chunks' vectors and search documents, which it never uses."""

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from app.knowledge import search as knowledge
from app.knowledge.embedders import Embedded
from app.knowledge.models import Chunk
from app.services import Services
from bench.knowledge_labelled import TOP, queries

PASSES = 2


@dataclass(frozen=True)
class FixedEmbedder:
    """The query vectors computed up front."""

    model: str
    vectors: dict[str, list[float]]

    async def embed(self, texts: Sequence[str]) -> Embedded:
        return Embedded([self.vectors[text] for text in texts], 0)


def percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds."""
    cuts = statistics.quantiles([s / 1e6 for s in samples_ns], n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


async def embed_queries(services: Services) -> tuple[FixedEmbedder, list[int]]:
    """The labelled queries' vectors, and how long embedding each one took."""
    vectors: dict[str, list[float]] = {}
    samples: list[int] = []
    for query in queries():
        started = time.perf_counter_ns()
        vectors[query.text] = (await services.embedder.embed([query.text])).vectors[0]
        samples.append(time.perf_counter_ns() - started)
    return FixedEmbedder(services.embedder.model, vectors), samples


# A part of search, run in the session given; returns the nanoseconds it is charged.
Part = Callable[[AsyncSession, str], Awaitable[int]]


def parts(fixed: FixedEmbedder, scope: knowledge.Scope) -> dict[str, Part]:
    async def timed(call: Awaitable[object]) -> int:
        started = time.perf_counter_ns()
        await call
        return time.perf_counter_ns() - started

    async def whole(session: AsyncSession, query: str) -> int:
        return await timed(knowledge.search(session, fixed, scope, query, limit=TOP))

    async def lexical(session: AsyncSession, query: str) -> int:
        return await timed(knowledge._text_ranks(session, scope, query))

    async def semantic(session: AsyncSession, query: str) -> int:
        vector = fixed.vectors[query]
        return await timed(knowledge._vector_ranks(session, scope, fixed.model, vector))

    known: dict[str, tuple[list[uuid.UUID], list[tuple[uuid.UUID, float]]]] = {}

    async def lists(
        session: AsyncSession, query: str
    ) -> tuple[list[uuid.UUID], list[tuple[uuid.UUID, float]]]:
        """The query's two lists, computed once: the candidate steps are timed without them."""
        if query not in known:
            vector = fixed.vectors[query]
            lexical = await knowledge._text_ranks(session, scope, query)
            known[query] = (
                lexical,
                await knowledge._vector_ranks(session, scope, fixed.model, vector),
            )
        return known[query]

    async def candidates(session: AsyncSession, query: str) -> int:
        lexical, semantic = await lists(session, query)
        scores = knowledge.fuse(lexical, [chunk_id for chunk_id, _ in semantic])
        return await timed(
            knowledge._candidates(session, scope, scores, dict(semantic), set(lexical))
        )

    async def lean_candidates(session: AsyncSession, query: str) -> int:
        lexical, semantic = await lists(session, query)
        wanted = list(knowledge.fuse(lexical, [chunk_id for chunk_id, _ in semantic]))
        statement = (
            select(Chunk)
            .options(defer(Chunk.embedding), defer(Chunk.search))
            .where(Chunk.tenant_id == scope.tenant_id, Chunk.id.in_(wanted))
        )
        return await timed(session.scalars(statement))

    return {
        "search": whole,  # timed with its session
        "  full-text list": lexical,
        "  vector list": semantic,
        "  candidate chunks": candidates,
        "  (without vectors)": lean_candidates,
    }


async def timed(
    services: Services, fixed: FixedEmbedder, part: Part, *, with_session: bool = False
) -> list[int]:
    """`part` for every query, PASSES times: only what it is charged, or `with_session`, the
    whole of its session too (taking a pooled connection, the transaction)."""
    samples: list[int] = []
    for _ in range(PASSES):
        for query in fixed.vectors:
            started = time.perf_counter_ns()
            async with services.db.read() as session:
                charged = await part(session, query)
            samples.append(time.perf_counter_ns() - started if with_session else charged)
    return samples


def latency_header() -> None:
    print(f"\n  {'latency (ms)':<34}{'chunks':>8}{'p50':>8}{'p95':>8}{'p99':>8}")


async def latency_rows(
    services: Services, fixed: FixedEmbedder, label: str, tenant_id: uuid.UUID, size: int
) -> float:
    """Print the tenant's rows; `search`'s p95."""
    found = parts(fixed, knowledge.Scope(tenant_id))
    for query in fixed.vectors:  # warms the caches
        async with services.db.read() as session:
            await found["search"](session, query)
    worst = 0.0
    for name, part in found.items():
        whole = name == "search"
        p50, p95, p99 = percentiles(await timed(services, fixed, part, with_session=whole))
        worst = p95 if whole else worst
        print(f"  {name + ', ' + label:<34}{size:>8,}{p50:>8.2f}{p95:>8.2f}{p99:>8.2f}")
    return worst
