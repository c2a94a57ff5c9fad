"""Fitting the local classifier's constants on its training examples alone (never on the
labelled set, which only measures them).

- Calibration: 5-fold cross-validation (every fifth example of each category held out in
  turn); the temperature and length power that minimise the log loss of the held-out
  predictions, by grid search.
- Second opinion on risks: for each category that names a risk, the lowest probability that
  at most 2.5% of the held-out examples of other categories reach.
- Custom categories: each default category in turn is left out of training and offered by its
  name and description only; the base and weight that maximise its F1, averaged over the
  categories, by grid search."""

import itertools
from collections.abc import Sequence

import numpy as np

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.local.classifier import (
    Evidence,
    Example,
    NaiveBayes,
    Scored,
    evidence,
    probabilities,
)
from app.ai.local.flagging import SECOND_OPINION

FOLDS = 5
TEMPERATURES = tuple(round(0.2 + 0.1 * n, 1) for n in range(29))
LENGTH_POWERS = (0.0, 0.25, 0.5, 0.75, 1.0)
THRESHOLDS = tuple(round(0.1 * n, 1) for n in range(1, 11))
FALSE_ALARMS = 0.025
CUSTOM = tuple(itertools.product((0.3, 0.5, 0.7), (0.5, 0.7, 0.9)))
NAMES = [category.name for category in DEFAULT_CATEGORIES]
HeldOut = list[tuple[Scored, int]]
Seen = list[tuple[str, Evidence]]  # each ticket's category and evidence


def held_out(examples: Sequence[Example]) -> HeldOut:
    """Every example scored by a model trained without its fold, with its category's index."""
    seen: dict[str, int] = {}
    fold_of = []
    for category, _ in examples:
        fold_of.append(seen.get(category, 0) % FOLDS)
        seen[category] = seen.get(category, 0) + 1
    rows: HeldOut = []
    for fold in range(FOLDS):
        model = NaiveBayes([e for e, f in zip(examples, fold_of, strict=True) if f != fold])
        rows += [
            (model.score(text, DEFAULT_CATEGORIES), NAMES.index(category))
            for (category, text), f in zip(examples, fold_of, strict=True)
            if f == fold
        ]
    return rows


def log_loss(rows: HeldOut, temperature: float, power: float) -> float:
    chances = [probabilities(scored, temperature, power)[right] for scored, right in rows]
    return -float(np.mean(np.log(np.array(chances) + 1e-12)))


def held_out_accuracy(rows: HeldOut) -> float:
    return float(np.mean([int(np.argmax(scored.scores)) == right for scored, right in rows]))


def fit_calibration(rows: HeldOut) -> tuple[float, float]:
    """The temperature and length power with the least held-out log loss."""
    return min(
        itertools.product(TEMPERATURES, LENGTH_POWERS), key=lambda pair: log_loss(rows, *pair)
    )


class LeftOut:
    """Each default category scored as a custom one, by a model trained without it."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self.models = {name: NaiveBayes([e for e in examples if e[0] != name]) for name in NAMES}
        self.examples: Seen = [(category, evidence(text)) for category, text in examples]

    def f1(self, tickets: Seen, custom: tuple[float, float]) -> dict[str, float]:
        """F1 of each left-out category on `tickets`."""
        found = {}
        for name, model in self.models.items():
            model.custom_base, model.custom_weight = custom
            chosen = [
                NAMES[int(np.argmax(model.score_evidence(seen, DEFAULT_CATEGORIES).scores))]
                for _, seen in tickets
            ]
            found[name] = f1(chosen, [category for category, _ in tickets], name)
        return found

    def fit(self) -> tuple[float, float]:
        """The custom constants with the best mean F1 over the training examples."""
        return max(CUSTOM, key=lambda pair: self.mean_f1(self.examples, pair))

    def mean_f1(self, tickets: Seen, custom: tuple[float, float]) -> float:
        return float(np.mean(list(self.f1(tickets, custom).values())))


def f1(chosen: list[str], truth: list[str], name: str) -> float:
    hits = sum(c == name and t == name for c, t in zip(chosen, truth, strict=True))
    if not hits:
        return 0.0
    precision, recall = hits / chosen.count(name), hits / truth.count(name)
    return 2 * precision * recall / (precision + recall)


def second_opinion_thresholds(rows: HeldOut) -> dict[str, float]:
    """For each category that names a risk, the lowest threshold at which no more than
    `FALSE_ALARMS` of the held-out examples of other categories reach it."""
    chances = np.array([probabilities(scored) for scored, _ in rows])
    truth = np.array([right for _, right in rows])
    found = {}
    for category in SECOND_OPINION:
        column = NAMES.index(category)
        others = chances[truth != column, column]
        found[category] = next(
            threshold for threshold in THRESHOLDS if np.mean(others >= threshold) <= FALSE_ALARMS
        )
    return found
