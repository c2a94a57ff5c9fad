"""`python -m bench knowledge --eval`: how well each ranking finds the labelled answers.

nDCG@10 (graded gain 2^grade - 1) and recall@10 (share of the relevant articles, any grade, in
the first ten) over all labelled queries and separately for keyword and paraphrase queries, for
the full-text list alone, the vector list alone, their reciprocal rank fusion (k = 60, articles
by their best chunk's fused score) and the shipped ordering (`search`: calibrated similarity)."""

import statistics

from bench import report
from bench.environment import Environment, run_async
from bench.knowledge_labelled import labelled_rankings, ndcg, queries, recall

METHODS = {
    "full text only": "text",
    "vector only": "vector",
    "RRF (k=60)": "fused",
    "shipped (calibrated)": "shipped",
}
KINDS = ("all", "keyword", "paraphrase")


def run(env: Environment) -> None:
    labelled = queries()
    report.section(
        "knowledge --eval: ranking quality on the labelled set",
        {
            "set": f"bench/knowledge_set.json: 55 articles, {len(labelled)} queries",
            "queries": ", ".join(
                f"{sum(q.kind == kind for q in labelled)} {kind}" for kind in KINDS[1:]
            ),
            "embedder": "the configured one (default: local WordLlama l2_supercat 256-d)",
        },
    )
    results = run_async(labelled_rankings(env)).ranked
    print(f"\n  {'':<24}{'nDCG@10':^33}{'recall@10':^33}")
    print(f"  {'':<24}" + "".join(f"{kind:>11}" for kind in KINDS * 2))
    for label, attribute in METHODS.items():
        cells = [
            statistics.fmean(
                metric(getattr(found, attribute), query.relevant)
                for query, found in results
                if kind in ("all", query.kind)
            )
            for metric in (ndcg, recall)
            for kind in KINDS
        ]
        print(f"  {label:<24}" + "".join(f"{cell:>11.3f}" for cell in cells))
