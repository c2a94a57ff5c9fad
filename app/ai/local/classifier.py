"""Which category a ticket belongs to, and how likely that is to be right.

A naive Bayes classifier trained on the examples in `training.json`, with equal priors (how
often each category turns up in the examples says nothing about how often a tenant sees it).
It reads two kinds of evidence:
- words: word stems and pairs of stems, each counted once per ticket (multinomial);
- risk signs: whether `risks` finds each risk, present or absent (Bernoulli), since a sign of
  self-harm, or its absence, says more about the category than any one word.

A tenant category the examples do not know is modelled from its own name and description: a
typical category (halfway between the mean and the best of the known categories'
log-likelihoods) in which the tenant's words are much likelier, each by how rare it is in
tickets generally. So a ticket full of "parcel", "courier" and "delivery" goes to "shipping:
parcels, couriers, delivery delays", and a ticket without those words stays where it was. A
name that is a known synonym of a safety category ("fraud", "grooming") uses that category's
examples.

Confidence is the softmax of the scores divided by a temperature and by a power of the number
of features scored (naive Bayes counts correlated words as independent evidence, so it grows
surer with length than it should). These constants are fitted on held-out predictions by
`python -m bench ai`: the calibration by 5-fold cross-validation on the examples, the custom
category constants by presenting each known category as unknown to a model trained without it."""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from app.ai.contract import Category, Risk
from app.ai.local.risks import risks
from app.ai.local.words import content_stems, features
from app.tickets.categories import SYNONYMS

TRAINING = Path(__file__).with_name("training.json")
ALPHA = 0.2  # additive smoothing of the word counts
# A custom category: where its base score lies between the known categories' mean (0) and best
# (1), and the weight of its own words against the general vocabulary.
CUSTOM_BASE = 0.5
CUSTOM_WEIGHT = 0.9
TEMPERATURE = 1.2
LENGTH_POWER = 0.25

Example = tuple[str, str]  # (category, text)


def training_examples() -> list[Example]:
    by_category: dict[str, list[str]] = json.loads(TRAINING.read_text())
    return [(category, text) for category, texts in by_category.items() for text in texts]


@dataclass(frozen=True)
class Scored:
    """Each requested category's log-likelihood, over `evidence` features of the ticket."""

    scores: np.ndarray
    evidence: int


@dataclass(frozen=True)
class Evidence:
    words: frozenset[str]
    risks: frozenset[Risk]


def evidence(text: str) -> Evidence:
    return Evidence(frozenset(features(text)), frozenset(risks(text)))


class NaiveBayes:
    def __init__(
        self,
        examples: Sequence[Example],
        alpha: float = ALPHA,
        custom: tuple[float, float] = (CUSTOM_BASE, CUSTOM_WEIGHT),
    ) -> None:
        self.custom_base, self.custom_weight = custom
        self.classes = sorted({category for category, _ in examples})
        documents = [(self.classes.index(category), evidence(text)) for category, text in examples]
        self.vocabulary = sorted(frozenset().union(*(found.words for _, found in documents)))
        self.index = {feature: n for n, feature in enumerate(self.vocabulary)}
        counts = np.zeros((len(self.classes), len(self.vocabulary)))
        flagged = np.zeros((len(self.classes), len(Risk)))
        sizes = np.zeros(len(self.classes))
        for row, found in documents:
            counts[row, [self.index[word] for word in found.words]] += 1
            flagged[row, [n for n, risk in enumerate(Risk) if risk in found.risks]] += 1
            sizes[row] += 1
        self.alpha = alpha
        self.denominators = counts.sum(axis=1) + alpha * len(self.vocabulary)
        self.log_words = np.log(counts + alpha) - np.log(self.denominators)[:, None]
        flagged_share = (flagged + 1) / (sizes[:, None] + 2)
        self.log_flagged, self.log_unflagged = np.log(flagged_share), np.log(1 - flagged_share)
        total = counts.sum() + alpha * len(self.vocabulary)
        self.background = (counts.sum(axis=0) + alpha) / total
        self.unseen_background = alpha / total
        self.documents = len(documents)
        self.document_frequency = counts.sum(axis=0)

    def rarity(self, stem: str) -> float:
        """How much a word says, as an inverse document frequency over the examples; a word
        no example has (a product's name, a place) counts as rare."""
        seen = self.document_frequency[self.index[stem]] if stem in self.index else 0.0
        return math.log((self.documents + 1) / (seen + 1))

    def salience(self, stem: str, row: int | None) -> float:
        """How much likelier a word is in a category's examples than in tickets generally
        (none for a word the category does not favour, or a category with no examples)."""
        if row is None or stem not in self.index:
            return 0.0
        column = self.index[stem]
        return max(0.0, float(self.log_words[row, column] - np.log(self.background[column])))

    def trained_class(self, category: Category) -> int | None:
        """The row of the examples `category` stands for, if any."""
        key = category.name.strip().lower().replace("-", "_").replace(" ", "_")
        if key in self.classes:
            return self.classes.index(key)
        synonym = SYNONYMS.get(key)
        return self.classes.index(synonym.value) if synonym in self.classes else None

    def score(self, text: str, categories: Sequence[Category]) -> Scored:
        return self.score_evidence(evidence(text), categories)

    def score_evidence(self, found: Evidence, categories: Sequence[Category]) -> Scored:
        rows = [self.trained_class(category) for category in categories]
        own_words = [
            _own_words(c) if row is None else frozenset()
            for c, row in zip(categories, rows, strict=True)
        ]
        known = sorted(self.index[word] for word in found.words if word in self.index)
        # Words no example has but a custom category names are evidence for every category,
        # so that all of them are scored over the same features.
        unknown = sorted((found.words - self.index.keys()) & frozenset().union(*own_words))
        each = (
            self.log_words[:, known].sum(axis=1)
            + len(unknown) * np.log(self.alpha / self.denominators)
            + self._risk_terms(found.risks)
        )
        scores = [
            float(each[row]) if row is not None else self._custom(each, words, known, unknown)
            for row, words in zip(rows, own_words, strict=True)
        ]
        return Scored(np.array(scores), len(known) + len(unknown))

    def _risk_terms(self, found: frozenset[Risk]) -> np.ndarray:
        present = np.array([risk in found for risk in Risk])
        return np.where(present, self.log_flagged, self.log_unflagged).sum(axis=1)

    def _custom(
        self, each: np.ndarray, words: frozenset[str], known: list[int], unknown: list[str]
    ) -> float:
        typical = float(each.mean() + self.custom_base * (each.max() - each.mean()))
        if not words:
            return typical
        own = self.custom_weight / len(words) / (1 - self.custom_weight)
        shares = [self.background[i] for i in known if self.vocabulary[i] in words]
        shares += [self.unseen_background for word in unknown if word in words]
        return typical + sum(math.log(1 + own / share) for share in shares)


@cache
def _own_words(category: Category) -> frozenset[str]:
    return frozenset(content_stems(f"{category.name.replace('_', ' ')} {category.description}"))


def probabilities(
    scored: Scored, temperature: float = TEMPERATURE, length_power: float = LENGTH_POWER
) -> np.ndarray:
    """Calibrated probabilities that each category is the right one."""
    logits = scored.scores / (temperature * max(scored.evidence, 1) ** length_power)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


@cache
def trained() -> NaiveBayes:
    """The model from the shipped examples, trained once per process."""
    return NaiveBayes(training_examples())
