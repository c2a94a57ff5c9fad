"""Triage of the labelled tickets (bench/ai_set.json) by a provider, and the figures on it."""

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.contract import AIFailed, AIProvider, Risk, TicketText, Triage, TriageRequest

SET = Path(__file__).with_name("ai_set.json")
BINS = 10


@dataclass(frozen=True)
class Labelled:
    title: str
    description: str
    category: str
    priority: str
    sentiment: str
    risks: frozenset[str]
    # "" for the tickets written first; "fresh-1", "fresh-2"…: each written after the local
    # rules were frozen, and measured before any change prompted by it.
    batch: str

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"


@dataclass(frozen=True)
class Answered:
    ticket: Labelled
    triage: Triage
    nanoseconds: int


def labelled() -> list[Labelled]:
    return [
        Labelled(
            row["title"],
            row["description"],
            row["category"],
            row["priority"],
            row["sentiment"],
            frozenset(row["risks"]),
            row.get("batch", ""),
        )
        for row in json.loads(SET.read_text())
    ]


async def triage_all(provider: AIProvider, tickets: list[Labelled]) -> tuple[list[Answered], int]:
    """Each ticket triaged, timed one at a time; and how many calls failed."""
    answered, failed = [], 0
    for ticket in tickets:
        request = TriageRequest(TicketText(ticket.title, ticket.description), DEFAULT_CATEGORIES)
        started = time.perf_counter_ns()
        try:
            triage = await provider.triage(request)
        except AIFailed:
            failed += 1
            continue
        answered.append(Answered(ticket, triage, time.perf_counter_ns() - started))
    return answered, failed


def accuracy(answered: list[Answered], field: str) -> float:
    right = sum(str(getattr(a.triage, field)) == getattr(a.ticket, field) for a in answered)
    return right / len(answered)


@dataclass(frozen=True)
class RiskFigures:
    labelled: int
    flagged: int
    caught: int

    @property
    def precision(self) -> float:
        return self.caught / self.flagged if self.flagged else float("nan")

    @property
    def recall(self) -> float:
        return self.caught / self.labelled if self.labelled else float("nan")


def risk_figures(answered: list[Answered]) -> dict[Risk, RiskFigures]:
    figures = {}
    for risk in Risk:
        said = [risk.value in a.ticket.risks for a in answered]
        found = [risk in a.triage.risks for a in answered]
        figures[risk] = RiskFigures(
            sum(said), sum(found), sum(s and f for s, f in zip(said, found, strict=True))
        )
    return figures


def missed(answered: list[Answered], risk: Risk) -> list[str]:
    return [
        a.ticket.title
        for a in answered
        if risk.value in a.ticket.risks and risk not in a.triage.risks
    ]


def confusion(answered: list[Answered]) -> Counter[tuple[str, str]]:
    return Counter((a.ticket.category, a.triage.category) for a in answered)


@dataclass(frozen=True)
class Bin:
    low: float
    count: int
    confidence: float
    accuracy: float


def reliability(answered: list[Answered]) -> tuple[list[Bin], float]:
    """Tickets grouped by stated confidence, with how often the category was right in each;
    and the expected calibration error (the count-weighted gap between the two)."""
    bins, gap = [], 0.0
    for low in range(BINS):
        inside = [a for a in answered if min(int(a.triage.confidence * BINS), BINS - 1) == low]
        if not inside:
            continue
        stated = sum(a.triage.confidence for a in inside) / len(inside)
        right = sum(a.triage.category == a.ticket.category for a in inside) / len(inside)
        bins.append(Bin(low / BINS, len(inside), stated, right))
        gap += len(inside) * abs(stated - right)
    return bins, gap / len(answered)
