"""Recall@10 of the HNSW vector list against exact search, per tenant size, as shipped and with
the changes worth proposing.

Exact: the same SQL (`_vector_ranks`, same filters) with index scans off, so PostgreSQL reads
every row and sorts. HNSW with `relaxed_order` iterative scans returns rows slightly out of
order, so recall is given both for the list's first ten as returned (what the fusion ranks by)
and for the ten nearest of the fifty it returns. Whether the planner used the HNSW index at all
is read from the index's scan counter."""

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

TENANT_INDEX = "bench_knowledge_chunks_tenant"


@dataclass(frozen=True)
class Listed:
    """Each query's vector list: chunk ids in the order returned, with distances' order."""

    returned: list[list[uuid.UUID]]
    nearest: list[list[uuid.UUID]]
    samples: list[int]
    index_scans: int


async def _index_scans(services: Services, dimensions: int) -> int:
    async with services.db.read() as session:
        found = await session.scalar(
            text("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = :name"),
            {"name": index.vector_index_name(dimensions)},
        )
    return int(found or 0)


async def vector_lists(
    services: Services, fixed: FixedEmbedder, tenant_id: uuid.UUID, *, exact: bool = False
) -> Listed:
    scope = knowledge.Scope(tenant_id)
    dimensions = len(next(iter(fixed.vectors.values())))
    before = await _index_scans(services, dimensions)
    returned, nearest, samples = [], [], []
    async with services.db.read() as session:
        if exact:
            await session.execute(text("SET LOCAL enable_indexscan = off"))
        for vector in fixed.vectors.values():
            started = time.perf_counter_ns()
            ranked = await knowledge._vector_ranks(session, scope, fixed.model, vector)
            samples.append(time.perf_counter_ns() - started)
            returned.append([chunk_id for chunk_id, _ in ranked[:TOP]])
            by_distance = sorted(ranked, key=lambda row: row[1], reverse=True)
            nearest.append([chunk_id for chunk_id, _ in by_distance[:TOP]])
        # Statistics reach the shared counters once the connection is idle.
        await session.execute(text("SELECT pg_stat_force_next_flush()"))
    await asyncio.sleep(0.6)
    used = await _index_scans(services, dimensions) - before
    return Listed(returned, nearest, samples, used)


def recall(found: list[list[uuid.UUID]], exact: Listed) -> tuple[float, float]:
    """Mean and lowest share of the exact ten found."""
    scores = [
        len(set(mine) & set(truth)) / len(truth)
        for mine, truth in zip(found, exact.nearest, strict=True)
        if truth
    ]
    return statistics.fmean(scores), min(scores)


@contextmanager
def ef_search(value: int) -> Iterator[None]:
    """`hnsw.ef_search` as `scan_settings` sets it, changed for the duration."""
    with mock.patch.object(index, "EF_SEARCH", value):
        yield


async def add_tenant_index(services: Services) -> None:
    """A B-tree on the tenant: the planner can then read a small tenant's rows directly and
    sort them (exact), where otherwise it scans the whole HNSW graph or the whole table."""
    async with services.db.transaction() as work:
        await work.session.execute(
            text(f"CREATE INDEX {TENANT_INDEX} ON knowledge_chunks (tenant_id)")
        )
        await work.session.execute(text("ANALYZE knowledge_chunks"))


def recall_header(title: str) -> None:
    print(
        f"\n  {title:<28}{'chunks':>8}{'recall':>8}{'sorted':>8}{'min':>6}"
        f"{'HNSW used':>11}{'p50 ms':>8}{'p95 ms':>8}"
    )


def recall_row(label: str, size: int, listed: Listed, exact: Listed) -> float:
    """Print one tenant's figures; the recall of the list as returned."""
    as_returned, lowest = recall(listed.returned, exact)
    sorted_recall, _ = recall(listed.nearest, exact)
    p50, p95, _ = percentiles(listed.samples)
    used = f"{listed.index_scans}/{len(listed.samples)}"
    print(
        f"  {label:<28}{size:>8,}{as_returned:>8.3f}{sorted_recall:>8.3f}{lowest:>6.2f}"
        f"{used:>11}{p50:>8.2f}{p95:>8.2f}"
    )
    return as_returned
