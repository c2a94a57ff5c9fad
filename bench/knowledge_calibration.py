"""`python -m bench knowledge --calibrate`: fit the logistic regression behind `similarity`.

The rows are the candidates search makes for each labelled query (one per article, with its
best cosine and whether the full text matched it); the target is "relevant at all": graded 1
to 3 (from related to the answer itself). Fitted by iteratively reweighted least squares with a
light ridge (so a feature that separates the rows cannot run off to infinity). Held-out figures
come from 5-fold cross-validation by query: every prediction is for a query the model did not
see. Printed: the coefficients to put in `CALIBRATION`, the calibration table, precision and
recall at 0.5, and the nDCG@10 each model's ordering would give, with a third feature (the
article's reciprocal rank in the full-text list, or its fused RRF score) for comparison."""

import math
import random
import statistics
from collections.abc import Callable

import numpy as np

from app.knowledge.search import calibrated
from bench import report
from bench.environment import Environment, run_async
from bench.knowledge_labelled import RELEVANT, Candidate, Query, Rankings, labelled_rankings, ndcg

FOLDS = 5
RIDGE = 1e-2
THRESHOLD = 0.5
DEFAULT_LIMIT = 5
SWEEP = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
BINS = 10
Features = Callable[[Candidate], list[float]]
MODELS: dict[str, Features] = {
    "cosine + text match": lambda c: c.features()[:2],
    "+ full-text reciprocal rank": lambda c: c.features(),
    "+ fused RRF score": lambda c: [*c.features()[:2], c.fused],
}
Ranked = list[tuple[Query, Rankings]]


def fit(rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Coefficients (bias first) of the logistic regression of `labels` on `rows`."""
    x = np.column_stack([np.ones(len(rows)), rows])
    beta = np.zeros(x.shape[1])
    penalty = RIDGE * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        weights = np.clip(p * (1 - p), 1e-9, None)
        step = np.linalg.solve(
            x.T @ (x * weights[:, None]) + penalty, x.T @ (labels - p) - penalty @ beta
        )
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def predict(beta: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(beta[0] + rows @ beta[1:])))


def _table(labelled: Ranked, features: Features) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, query number) of every candidate of every query."""
    rows, labels, groups = [], [], []
    for number, (query, found) in enumerate(labelled):
        for candidate in found.candidates:
            rows.append(features(candidate))
            labels.append(float(query.relevant.get(candidate.slug, 0) >= RELEVANT))
            groups.append(number)
    return np.array(rows), np.array(labels), np.array(groups)


def held_out(labelled: Ranked, features: Features) -> np.ndarray:
    """Each candidate's probability from a model fitted without its query."""
    rows, labels, groups = _table(labelled, features)
    order = list(range(len(labelled)))
    random.Random(7).shuffle(order)
    fold_of = {query: n % FOLDS for n, query in enumerate(order)}
    folds = np.array([fold_of[group] for group in groups])
    predicted = np.zeros(len(labels))
    for fold in range(FOLDS):
        test = folds == fold
        predicted[test] = predict(fit(rows[~test], labels[~test]), rows[test])
    return predicted


def orderings(labelled: Ranked, probabilities: np.ndarray) -> list[list[tuple[str, float]]]:
    """Each query's candidates as `search` orders them, with their probability: by probability
    (to the four places `calibrated` keeps), the fused score breaking ties."""
    found, start = [], 0
    for _, rankings in labelled:
        count = len(rankings.candidates)
        mine = [round(p, 4) for p in probabilities[start : start + count].tolist()]
        start += count
        ranked = sorted(
            zip(rankings.candidates, mine, strict=True),
            key=lambda pair: (pair[1], pair[0].fused),
            reverse=True,
        )
        found.append([(candidate.slug, p) for candidate, p in ranked])
    return found


def ordering_ndcg(labelled: Ranked, probabilities: np.ndarray) -> float:
    ordered = orderings(labelled, probabilities)
    return statistics.fmean(
        ndcg([slug for slug, _ in hits], query.relevant)
        for hits, (query, _) in zip(ordered, labelled, strict=True)
    )


def at_default(
    labelled: Ranked, probabilities: np.ndarray, threshold: float = THRESHOLD
) -> tuple[float, float, float, float]:
    """What the API returns by default (limit 5) at `threshold`: the share of queries with any
    result, the share whose grade-3 answer is among them, the mean number of results, and the
    share of the results that are relevant (any grade)."""
    answered, found_answer, counts, relevant = 0, 0, [], 0
    for hits, (query, _) in zip(orderings(labelled, probabilities), labelled, strict=True):
        kept = [slug for slug, p in hits if p >= threshold][:DEFAULT_LIMIT]
        answered += bool(kept)
        found_answer += any(query.relevant.get(slug) == 3 for slug in kept)
        counts.append(len(kept))
        relevant += sum(query.relevant.get(slug, 0) >= RELEVANT for slug in kept)
    total = len(labelled)
    precision = relevant / sum(counts) if sum(counts) else math.nan
    return answered / total, found_answer / total, statistics.fmean(counts), precision


def run(env: Environment) -> None:
    report.section(
        "knowledge --calibrate: similarity = P(grade >= 1 | best cosine, full-text match)",
        {
            "rows": "search candidates of each labelled query, one per article",
            "fit": f"logistic regression, IRLS, ridge {RIDGE}",
            "held out": f"{FOLDS}-fold cross-validation by query",
        },
    )
    found = run_async(labelled_rankings(env))
    labelled, model = found.ranked, found.model
    rows, labels, _ = _table(labelled, MODELS["cosine + text match"])
    report.figure("candidates (positives)", f"{len(labels)} ({int(labels.sum())})")

    print("\n  coefficients fitted on every query (bias, then each feature)")
    for name, features in MODELS.items():
        beta = fit(*_table(labelled, features)[:2])
        print(f"  {name:<30}" + "".join(f"{value:>9.2f}" for value in beta))
    beta = fit(rows, labels)
    print(f"\n  CALIBRATION = {{{model!r}: ({beta[0]:.2f}, {beta[1]:.2f}, {beta[2]:.2f})}}")

    shipped = np.array([calibrated(model, cosine, bool(match)) for cosine, match in rows])
    predicted = {name: held_out(labelled, features) for name, features in MODELS.items()}
    _calibration_table(predicted["cosine + text match"], labels)
    print(f"\n  {'at threshold 0.5':<42}{'precision':>10}{'recall':>9}{'log loss':>10}")
    _quality("shipped coefficients (in sample)", shipped, labels)
    for name, probabilities in predicted.items():
        _quality(f"{name} (held out)", probabilities, labels)

    fitted = predict(beta, rows)
    compared = {
        "shipped coefficients": shipped,
        "fitted coefficients (in sample)": fitted,
        **{f"{name} (held out)": probabilities for name, probabilities in predicted.items()},
    }
    print(
        f"\n  {'ordering, and the API defaults':<42}{'nDCG@10':>10}"
        f"{'answered':>10}{'answer in':>11}{'results':>9}{'relevant':>10}"
    )
    for name, probabilities in compared.items():
        answered, found_answer, count, precision = at_default(labelled, probabilities)
        print(
            f"  {name:<42}{ordering_ndcg(labelled, probabilities):>10.3f}"
            f"{answered:>10.3f}{found_answer:>11.3f}{count:>9.2f}{precision:>10.3f}"
        )
    print(
        "  (answered: queries with any result at threshold 0.5, limit 5; answer in: queries\n"
        "  whose grade-3 article is among those; results: mean number returned; relevant: the\n"
        "  share of those results graded 1 to 3)"
    )
    held = predicted["cosine + text match"]
    print(
        f"\n  {'threshold (held out, cosine + text match)':<42}{'answered':>10}{'answer in':>11}"
        f"{'results':>9}{'relevant':>10}"
    )
    for threshold in SWEEP:
        answered, found_answer, count, precision = at_default(labelled, held, threshold)
        print(
            f"  {threshold:<42}{answered:>10.3f}{found_answer:>11.3f}{count:>9.2f}"
            f"{precision:>10.3f}"
        )
    same = sum(
        [slug for slug, _ in hits[: len(found.shipped)]] == found.shipped
        for hits, (_, found) in zip(orderings(labelled, shipped), labelled, strict=True)
    )
    print(f"  (the shipped ordering re-derived here is search()'s for {same} of {len(labelled)})")


def _calibration_table(predicted: np.ndarray, labels: np.ndarray) -> None:
    print("\n  calibration, held out (cosine + text match)")
    print(f"  {'predicted':<14}{'candidates':>11}{'mean predicted':>16}{'observed':>10}")
    for low in range(BINS):
        inside = (predicted >= low / BINS) & (predicted < (low + 1) / BINS + (low == BINS - 1))
        if not inside.any():
            continue
        span = f"{low / BINS:.1f}-{(low + 1) / BINS:.1f}"
        print(
            f"  {span:<14}{int(inside.sum()):>11}{predicted[inside].mean():>16.3f}"
            f"{labels[inside].mean():>10.3f}"
        )


def _quality(label: str, predicted: np.ndarray, labels: np.ndarray) -> None:
    chosen = predicted >= THRESHOLD
    precision = labels[chosen].mean() if chosen.any() else math.nan
    recall = labels[chosen].sum() / labels.sum()
    clipped = np.clip(predicted, 1e-9, 1 - 1e-9)
    loss = -np.mean(labels * np.log(clipped) + (1 - labels) * np.log(1 - clipped))
    print(f"  {label:<42}{precision:>10.3f}{recall:>9.3f}{loss:>10.3f}")
