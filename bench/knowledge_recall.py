"""The vector list per tenant size: exact search against HNSW, their timings, and recall@10
of each against exact search (the ten nearest chunks in scope).

Each path is forced through `search`'s own function (`vector_ranks`) by patching its cut-off:
exact for every scope, or the HNSW statement for every scope at a given `hnsw.ef_search`; as
shipped, the scope's size chooses. Whether the planner answered the HNSW statement through the
HNSW index is read from the index's scan counter: for a small tenant it reads the scope's
B-tree and sorts instead. These figures are what EXACT_MAX and EF_SEARCH were chosen from."""

import asyncio
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

from sqlalchemy import text

from app.knowledge import index
from app.knowledge import search as knowledge
from app.services import Services
from bench.knowledge_labelled import TOP
from bench.knowledge_timing import FixedEmbedder, percentiles

EF_SEARCHES = (200, 300, 400)
EVERY_SCOPE = 10**9


@dataclass(frozen=True)
class Listed:
    """Each query's ten nearest chunks as the path found them, the time each list took, and
    how many of the lists the HNSW index was scanned for."""

    nearest: list[list[uuid.UUID]]
    samples: list[int]
    graph_scans: int


@contextmanager
def path(exact_max: int, ef_search: int = index.EF_SEARCH) -> Iterator[None]:
    """Vector search with this cut-off and `hnsw.ef_search` for the duration."""
    with (
        mock.patch.object(knowledge, "EXACT_MAX", exact_max),
        mock.patch.object(index, "EF_SEARCH", ef_search),
    ):
        yield


async def _graph_scans(services: Services, dimensions: int) -> int:
    async with services.db.read() as session:
        found = await session.scalar(
            text("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = :name"),
            {"name": index.vector_index_name(dimensions)},
        )
    return int(found or 0)


async def vector_lists(services: Services, fixed: FixedEmbedder, tenant_id: uuid.UUID) -> Listed:
    """Every query's vector list, as the current path finds it."""
    scope = knowledge.Scope(tenant_id)
    dimensions = len(next(iter(fixed.vectors.values())))
    before = await _graph_scans(services, dimensions)
    nearest, samples = [], []
    async with services.db.read() as session:
        for vector in fixed.vectors.values():
            started = time.perf_counter_ns()
            ranked = await knowledge.vector_ranks(session, scope, fixed.model, vector)
            samples.append(time.perf_counter_ns() - started)
            nearest.append([found.chunk_id for found in ranked[:TOP]])
        # Statistics reach the shared counters once the connection is idle.
        await session.execute(text("SELECT pg_stat_force_next_flush()"))
    await asyncio.sleep(0.6)
    return Listed(nearest, samples, await _graph_scans(services, dimensions) - before)


def recall(found: Listed, exact: Listed) -> tuple[float, float]:
    """Mean and lowest share of the exact ten found."""
    scores = [
        len(set(mine) & set(truth)) / len(truth)
        for mine, truth in zip(found.nearest, exact.nearest, strict=True)
        if truth
    ]
    return statistics.fmean(scores), min(scores)


async def shipped_path(services: Services, tenant_id: uuid.UUID) -> str:
    async with services.db.read() as session:
        size = await knowledge.scope_size(session, knowledge.Scope(tenant_id))
    return "exact" if size <= knowledge.EXACT_MAX else "HNSW"


def paths_header() -> None:
    graphs = "".join(f"{'HNSW ' + str(ef):>23}" for ef in EF_SEARCHES)
    print(f"\n  {'vector list (ms)':<20}{'exact':>15}{graphs}{'shipped':>17}")
    columns = "".join(f"{'p50':>7}{'p95':>7}{'recall':>9}" for _ in EF_SEARCHES)
    print(f"  {'tenant':<20}{'p50':>7}{'p95':>8}{columns}{'path':>8}{'recall':>9}")


async def paths_row(
    services: Services, fixed: FixedEmbedder, size: int, tenant_id: uuid.UUID
) -> float:
    """Print the tenant's row; the recall of the list as shipped."""
    with path(EVERY_SCOPE):
        exact = await vector_lists(services, fixed, tenant_id)
    p50, p95, _ = percentiles(exact.samples)
    cells = f"  {format(size, ',') + ' chunks':<20}{p50:>7.2f}{p95:>8.2f}"
    for ef_search in EF_SEARCHES:
        with path(0, ef_search):
            graph = await vector_lists(services, fixed, tenant_id)
        p50, p95, _ = percentiles(graph.samples)
        unused = " " if graph.graph_scans >= len(graph.samples) else "*"
        cells += f"{p50:>7.2f}{p95:>7.2f}{recall(graph, exact)[0]:>8.3f}{unused}"
    shipped, _ = recall(await vector_lists(services, fixed, tenant_id), exact)
    print(f"{cells}{await shipped_path(services, tenant_id):>8}{shipped:>9.3f}")
    return shipped
