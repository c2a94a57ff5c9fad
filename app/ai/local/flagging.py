"""The risks a ticket is flagged with: those its wording shows signs of (`risks`), and those
its category names when the classifier gives that category a fair chance.

The two detectors fail differently. The patterns know only their phrasings, however indirect;
the classifier generalises from its examples to wording no pattern anticipated ("wants to go
to sleep forever and the pain is too much"). A risk either finds is flagged: for self-harm and
child safety a missed case costs far more than a lead's glance at a false alarm.

Each category's threshold is the lowest probability at which, held out in cross-validation,
no more than 2.5% of the training examples of other categories would be flagged (fitted by
`python -m bench ai`)."""

from dataclasses import dataclass

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.contract import Risk
from app.ai.local.classifier import NaiveBayes, probabilities
from app.ai.local.risks import risks
from app.tickets.categories import ReportCategory

# category: (the risk it names, the probability of the category that flags it)
SECOND_OPINION = {
    ReportCategory.SELF_HARM.value: (Risk.SELF_HARM, 0.2),
    ReportCategory.CSEA_CONCERN.value: (Risk.CSEA_CONCERN, 0.2),
    ReportCategory.SCAM.value: (Risk.FRAUD, 0.4),
}
NAMES = [category.name for category in DEFAULT_CATEGORIES]


@dataclass(frozen=True)
class Flags:
    risks: tuple[Risk, ...]
    # Those the wording itself shows signs of: firmer ground for the priority than the
    # classifier's guess alone.
    worded: frozenset[Risk]


def flagged(model: NaiveBayes, text: str) -> Flags:
    worded = frozenset(risks(text))
    found = set(worded)
    chances = probabilities(model.score(text, DEFAULT_CATEGORIES))
    for category, (risk, threshold) in SECOND_OPINION.items():
        if chances[NAMES.index(category)] >= threshold:
            found.add(risk)
    return Flags(tuple(risk for risk in Risk if risk in found), worded)
