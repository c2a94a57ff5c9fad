"""`python -m bench knowledge`: knowledge search at scale (100,000 chunks, 20 tenants).

- The embedder: throughput in chunks per second, and its memory (RSS before and after it
  loads).
- Search latency with the tenant filter, excluding the query's embedding (timed on its own),
  for tenants large to small: `search` as the API runs it, and each of its parts.
- The vector list per tenant size: exact search against HNSW at two `hnsw.ef_search` values,
  their timings and recall@10 against exact search, and the path and recall as shipped.
- Against the previous strategy (HNSW for every tenant, the previous indexes) in the same
  process: shipped, previous, shipped again, so drift in the machine's load shows.

Goals, for 2 cores: p95 <= 15 ms excluding the query embedding, recall@10 >= 0.95. Printed,
never enforced. `python -m bench knowledge --eval` and `--calibrate` study ranking quality."""

import uuid

from app.knowledge import search as knowledge
from app.knowledge.index import EF_SEARCH
from app.services import Services
from bench import report
from bench.environment import Environment, run_async
from bench.knowledge_corpus import TENANT_CHUNKS, Corpus, build
from bench.knowledge_labelled import queries
from bench.knowledge_previous import EF_SEARCH as PREVIOUS_EF_SEARCH
from bench.knowledge_previous import previous_strategy
from bench.knowledge_recall import paths_header, paths_row
from bench.knowledge_timing import (
    PASSES,
    FixedEmbedder,
    embed_queries,
    latency_header,
    latency_rows,
    percentiles,
    timed,
    warm,
    whole,
)

GOAL_P95_MS = 15.0
GOAL_RECALL = 0.95
LATENCY = (30_000, 18_000, 12_000, 6_000, 2_000, 500, 100)
PATHS = (30_000, 18_000, 12_000, 8_000, 6_000, 3_000, 2_000, 1_000, 500, 100)
COMPARED = (30_000, 12_000, 2_000, 500, 100)


def run(env: Environment) -> None:
    report.section(
        "knowledge: hybrid search over 100,000 chunks",
        {
            "tenants": f"{len(TENANT_CHUNKS)}, {max(TENANT_CHUNKS):,} to {min(TENANT_CHUNKS):,} "
            "chunks each, 5% of articles drafts",
            "queries": f"the {len(queries())} labelled queries; latency {PASSES} passes each",
            "search": "limit 10, published articles, no category, its own session each",
            "vectors": f"exact up to {knowledge.EXACT_MAX:,} chunks in scope, "
            f"HNSW (ef_search {EF_SEARCH}) above",
        },
    )
    run_async(_run(env))


async def _run(env: Environment) -> None:
    services = env.services()
    try:
        corpus = await build(env, services)
        _corpus_figures(corpus)
        fixed, embedding_ns = await embed_queries(services)
        p50, p95, _ = percentiles(embedding_ns)
        report.figure("query embedding p50 / p95", f"{p50:.2f} / {p95:.2f} ms")
        tenants = {size: tenant_id for tenant_id, size in corpus.tenants}
        await _latencies(services, fixed, tenants)
        await _paths(services, fixed, tenants)
        await _compared(services, fixed, tenants)
    finally:
        await services.close()


def _corpus_figures(corpus: Corpus) -> None:
    before, loaded, after = corpus.rss_kib
    throughput = corpus.embedded / corpus.embed_seconds
    report.figure("embedding throughput", f"{throughput:,.0f} chunks/s")
    report.figure("  (chunks, mean words)", f"{corpus.embedded:,}, {corpus.mean_words:.0f}")
    report.figure("RSS before the embedder loads", f"{before / 1024:.0f} MiB")
    report.figure("  loaded / after the sample", f"{loaded / 1024:.0f} / {after / 1024:.0f} MiB")
    report.figure("bulk load (COPY)", f"{corpus.load_seconds:.1f} s")
    report.figure("vector index builds (HNSW, B-tree)", f"{corpus.index_seconds:.1f} s")


async def _latencies(
    services: Services, fixed: FixedEmbedder, tenants: dict[int, uuid.UUID]
) -> None:
    latency_header()
    worst = 0.0
    for size in LATENCY:
        samples = await latency_rows(services, fixed, f"{size:,}", tenants[size], size)
        worst = max(worst, percentiles(samples)[1])
    print(f"  goal: p95 <= {GOAL_P95_MS:.0f} ms for `search`; highest {worst:.2f} ms")


async def _paths(services: Services, fixed: FixedEmbedder, tenants: dict[int, uuid.UUID]) -> None:
    paths_header()
    lowest = min([await paths_row(services, fixed, size, tenants[size]) for size in PATHS])
    print(
        "  (*: the planner answered some of the HNSW statements from the scope's B-tree, sorting\n"
        "  the tenant's chunks, rather than through the HNSW index)"
    )
    print(f"  goal: recall@10 >= {GOAL_RECALL} per tenant as shipped; lowest {lowest:.3f}")


async def _searches(services: Services, fixed: FixedEmbedder, tenant_id: uuid.UUID) -> list[int]:
    await warm(services, fixed, tenant_id)
    return await timed(services, fixed, whole(fixed, knowledge.Scope(tenant_id)), with_session=True)


async def _compared(
    services: Services, fixed: FixedEmbedder, tenants: dict[int, uuid.UUID]
) -> None:
    print(
        f"\n  == against the previous strategy (HNSW for every tenant at ef_search "
        f"{PREVIOUS_EF_SEARCH},\n  the previous indexes), in this process: shipped, previous, "
        "shipped again"
    )
    first = {size: await _searches(services, fixed, tenants[size]) for size in COMPARED}
    async with previous_strategy(services):
        before = {size: await _searches(services, fixed, tenants[size]) for size in COMPARED}
    again = {size: await _searches(services, fixed, tenants[size]) for size in COMPARED}
    print(
        f"\n  {'`search` (ms)':<16}{'shipped':>24}{'shipped again':>24}{'previous':>24}"
        f"{'previous / shipped':>20}"
    )
    print(f"  {'tenant':<16}" + f"{'p50':>8}{'p95':>8}{'p99':>8}" * 3 + f"{'p50':>10}{'p95':>10}")
    for size in COMPARED:
        runs = [percentiles(samples[size]) for samples in (first, again, before)]
        shipped = percentiles(first[size] + again[size])
        cells = "".join(f"{p50:>8.2f}{p95:>8.2f}{p99:>8.2f}" for p50, p95, p99 in runs)
        ratios = f"{runs[2][0] / shipped[0]:>9.1f}x{runs[2][1] / shipped[1]:>9.1f}x"
        print(f"  {format(size, ',') + ' chunks':<16}{cells}{ratios}")
