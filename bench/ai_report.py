"""Printing the AI figures: per-field accuracy, risks, the confusion matrix, reliability."""

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.contract import Risk
from bench import report
from bench.ai_scoring import Answered, accuracy, confusion, missed, reliability, risk_figures
from bench.stats import summarize

# Risks a safeguarding lead must never miss: their recall is judged against 1.00.
NEVER_MISS = (Risk.CSEA_CONCERN, Risk.SELF_HARM)


def quality(answered: list[Answered], label: str) -> None:
    print(f"\n  {label}: {len(answered)} tickets")
    for field in ("category", "priority", "sentiment"):
        report.figure(f"{field} accuracy", f"{accuracy(answered, field):.3f}")
    exact = sum(frozenset(r.value for r in a.triage.risks) == a.ticket.risks for a in answered)
    report.figure("risks exactly right", f"{exact / len(answered):.3f}")
    figures = risk_figures(answered)
    caught = ", ".join(f"{r.value} {figures[r].caught}/{figures[r].labelled}" for r in Risk)
    print(f"  risks caught: {caught}")


def risks(answered: list[Answered]) -> None:
    print(f"\n  {'risk':<16}{'labelled':>10}{'flagged':>9}{'precision':>11}{'recall':>8}")
    for risk, figures in risk_figures(answered).items():
        goal = "   goal 1.00" if risk in NEVER_MISS else ""
        print(
            f"  {risk.value:<16}{figures.labelled:>10}{figures.flagged:>9}"
            f"{figures.precision:>11.3f}{figures.recall:>8.3f}{goal}"
        )
    for risk in NEVER_MISS:
        for title in missed(answered, risk):
            print(f"  missed {risk.value}: {title}")


def confusion_matrix(answered: list[Answered]) -> None:
    names = [category.name for category in DEFAULT_CATEGORIES]
    counts = confusion(answered)
    print("\n  category confusion (rows: labelled, columns: chosen)")
    print(f"  {'':<22}" + "".join(f"{name[:4]:>5}" for name in names))
    for truth in names:
        cells = "".join(f"{counts[(truth, chosen)] or '.':>5}" for chosen in names)
        print(f"  {truth:<22}{cells}")


def calibration(answered: list[Answered]) -> None:
    bins, gap = reliability(answered)
    print("\n  confidence calibration (is the category right as often as it says?)")
    print(f"  {'confidence':<14}{'tickets':>9}{'mean stated':>13}{'right':>8}")
    for found in bins:
        span = f"{found.low:.1f}-{found.low + 0.1:.1f}"
        print(f"  {span:<14}{found.count:>9}{found.confidence:>13.3f}{found.accuracy:>8.3f}")
    report.figure("expected calibration error", f"{gap:.3f}")


def latency(answered: list[Answered]) -> None:
    timing = summarize([a.nanoseconds for a in answered])
    report.figure("triage latency p50 / p99", f"{timing.p50:.2f} / {timing.p99:.2f} ms")


def everything(answered: list[Answered], label: str) -> None:
    quality(answered, label)
    for batch in sorted({a.ticket.batch for a in answered} - {""}):
        quality([a for a in answered if a.ticket.batch == batch], f"{label}, batch {batch}")
    risks(answered)
    confusion_matrix(answered)
    calibration(answered)
    latency(answered)
