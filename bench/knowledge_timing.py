"""Timing knowledge search without the query's embedding: the vectors of the labelled queries
are computed once, and `search` gets them from a stand-in embedder.

Each timed call runs in its own session, as an API request does (a pooled connection, one
transaction). Besides `search` itself (timed with its session), each of its parts is timed
alone: the count of the scope that chooses exact or HNSW vector search, the full-text list,
the vector list (the count included), and the loading of the articles and chunks kept (the
lists computed beforehand, not timed)."""

import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.knowledge import search as knowledge
from app.knowledge.embedders import Embedded
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


async def _timed(call: Awaitable[object]) -> int:
    started = time.perf_counter_ns()
    await call
    return time.perf_counter_ns() - started


def whole(fixed: FixedEmbedder, scope: knowledge.Scope) -> Part:
    async def searched(session: AsyncSession, query: str) -> int:
        return await _timed(knowledge.search(session, fixed, scope, query, limit=TOP))

    return searched


def parts(fixed: FixedEmbedder, scope: knowledge.Scope) -> dict[str, Part]:
    async def counted(session: AsyncSession, query: str) -> int:
        return await _timed(knowledge.scope_size(session, scope))

    async def lexical(session: AsyncSession, query: str) -> int:
        return await _timed(knowledge.text_ranks(session, scope, query))

    async def semantic(session: AsyncSession, query: str) -> int:
        vector = fixed.vectors[query]
        return await _timed(knowledge.vector_ranks(session, scope, fixed.model, vector))

    kept: dict[str, list[tuple[float, knowledge.Candidate]]] = {}

    async def loaded(session: AsyncSession, query: str) -> int:
        """The query's kept candidates are worked out once, untimed; loading them is timed."""
        if query not in kept:
            lists = (
                await knowledge.text_ranks(session, scope, query),
                await knowledge.vector_ranks(session, scope, fixed.model, fixed.vectors[query]),
            )
            kept[query] = knowledge.rated(fixed.model, knowledge.candidates(*lists))[:TOP]
        return await _timed(knowledge.load_hits(session, scope, kept[query]))

    return {
        "search": whole(fixed, scope),  # timed with its session
        "  scope count": counted,
        "  full-text list": lexical,
        "  vector list": semantic,
        "  articles and chunks": loaded,
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


async def warm(services: Services, fixed: FixedEmbedder, tenant_id: uuid.UUID) -> None:
    """One search per query, untimed, so every run starts from warm caches."""
    await timed(services, fixed, whole(fixed, knowledge.Scope(tenant_id)))


def latency_header() -> None:
    print(f"\n  {'latency (ms)':<34}{'chunks':>8}{'p50':>8}{'p95':>8}{'p99':>8}")


def latency_row(name: str, size: int, samples: list[int]) -> tuple[float, float, float]:
    found = percentiles(samples)
    p50, p95, p99 = found
    print(f"  {name:<34}{size:>8,}{p50:>8.2f}{p95:>8.2f}{p99:>8.2f}")
    return found


async def latency_rows(
    services: Services, fixed: FixedEmbedder, label: str, tenant_id: uuid.UUID, size: int
) -> list[int]:
    """Print the tenant's rows; `search`'s samples."""
    await warm(services, fixed, tenant_id)
    found: list[int] = []
    for name, part in parts(fixed, knowledge.Scope(tenant_id)).items():
        whole_search = name == "search"
        samples = await timed(services, fixed, part, with_session=whole_search)
        found = samples if whole_search else found
        latency_row(f"{name}, {label}", size, samples)
    return found
