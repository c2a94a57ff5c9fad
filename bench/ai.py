"""`python -m bench ai`: AI triage measured on labelled tickets (bench/ai_set.json).

For the local provider: per-field accuracy (category, priority, sentiment), risk precision and
recall, the category confusion matrix, confidence calibration in reliability bins, how long
training takes, and per-ticket latency; then its constants refitted on the training examples
beside the shipped ones. With an Anthropic key configured, the same figures for Claude.

The labelled set was written by hand, apart from the training examples and in different words:
a dating app, a marketplace and an office help desk, with indirect risk wording and benign
tickets that use safety words. Labels follow one rubric:
- priority: critical for a child at risk (CSEA, underage), an imminent risk to life, or a
  service down for everyone; high for other self-harm risk, threats, money lost, a requester
  shut out; low for suggestions, spam, questions reporting no problem; medium otherwise;
- sentiment: the requester's dominant tone, neutral when matter-of-fact;
- risks: anyone at risk of suicide or self-harm; a threat of violence or exposure; sexual
  interest in, contact with or images of a child; deception for money or credentials.
Tickets marked `"batch": "fresh-1"`, `"fresh-2"`… were each written after the local rules
were frozen and measured once before any change they prompted; they are reported on their own
too, but the rules have seen every batch since, so only a new batch tests them on wording they
never met."""

import time

from app.ai.local import LocalProvider
from app.ai.local.classifier import (
    CUSTOM_BASE,
    CUSTOM_WEIGHT,
    LENGTH_POWER,
    TEMPERATURE,
    NaiveBayes,
    evidence,
    training_examples,
)
from app.ai.local.flagging import SECOND_OPINION
from bench import ai_report, report
from bench.ai_fit import (
    LeftOut,
    fit_calibration,
    held_out,
    held_out_accuracy,
    log_loss,
    second_opinion_thresholds,
)
from bench.ai_scoring import Labelled, labelled, triage_all
from bench.environment import Environment, run_async


def run(env: Environment) -> None:
    tickets = labelled()
    examples = training_examples()
    report.section(
        "ai: triage on labelled tickets",
        {
            "labelled tickets": f"{len(tickets)} ({sum(bool(t.batch) for t in tickets)} in "
            "fresh batches), default categories",
            "training examples": f"{len(examples)} in {len({c for c, _ in examples})} "
            "categories (app/ai/local/training.json)",
        },
    )
    started = time.perf_counter()
    NaiveBayes(examples)
    report.figure("local training time", f"{(time.perf_counter() - started) * 1000:.0f} ms")
    answered, _ = run_async(triage_all(LocalProvider(), tickets))
    ai_report.everything(answered, "local provider")
    _fits(examples, tickets)
    _anthropic(env, tickets)


def _fits(examples: list[tuple[str, str]], tickets: list[Labelled]) -> None:
    print("\n  local constants refitted on the training examples (shipped / fitted)")
    rows = held_out(examples)
    fitted = fit_calibration(rows)
    report.figure(
        "temperature, length power", f"{TEMPERATURE}, {LENGTH_POWER} / {fitted[0]}, {fitted[1]}"
    )
    shipped_loss, fitted_loss = log_loss(rows, TEMPERATURE, LENGTH_POWER), log_loss(rows, *fitted)
    report.figure("held-out log loss", f"{shipped_loss:.3f} / {fitted_loss:.3f}")
    report.figure("held-out accuracy (5-fold)", f"{held_out_accuracy(rows):.3f}")
    for category, threshold in second_opinion_thresholds(rows).items():
        risk, shipped = SECOND_OPINION[category]
        report.figure(f"{risk.value} flag at P({category[:4]}) >=", f"{shipped} / {threshold}")
    left_out = LeftOut(examples)
    custom = left_out.fit()
    report.figure(
        "custom base, weight", f"{CUSTOM_BASE}, {CUSTOM_WEIGHT} / {custom[0]}, {custom[1]}"
    )
    seen = [(t.category, evidence(t.text)) for t in tickets]
    on_set = left_out.f1(seen, (CUSTOM_BASE, CUSTOM_WEIGHT))
    print("  a category known only by its name and description, on the labelled tickets (F1):")
    print("  " + ", ".join(f"{name} {value:.2f}" for name, value in on_set.items()))
    report.figure("mean F1", f"{sum(on_set.values()) / len(on_set):.3f}")


def _anthropic(env: Environment, tickets: list[Labelled]) -> None:
    settings = env.settings()
    if not settings.anthropic_api_key:
        print("\n  anthropic: no API key configured (HAVEN_ANTHROPIC_API_KEY), not measured")
        return
    from app.ai.anthropic_provider import AnthropicProvider
    from app.kit.outbound import Outbound

    async def measure() -> None:
        outbound = Outbound()
        try:
            provider = AnthropicProvider(settings, outbound)
            answered, failed = await triage_all(provider, tickets)
        finally:
            await outbound.close()
        print(f"\n  anthropic {provider.model}: {failed} calls failed")
        if answered:
            ai_report.everything(answered, f"anthropic {provider.model}")

    run_async(measure())
