"""The fan-out benchmark's records and the figures it prints from them."""

import statistics
from dataclasses import dataclass

from bench import report
from bench.stats import Summary, summarize

GOAL_P99_MS = 100.0
GOAL_KIB_PER_CONNECTION = 32.0


@dataclass(frozen=True)
class Sent:
    ticket: str  # global id: one fresh ticket per mutation, so its event names its mutation
    started_ns: int  # CLOCK_MONOTONIC, shared by every process on the machine
    answered_ns: int
    ok: bool
    error: str = ""  # why it failed, when it did


@dataclass
class Rss:
    before: int = 0
    plain: int = 0
    subscribed: int = 0


@dataclass(frozen=True)
class FanOutRun:
    sent: list[Sent]
    deliveries: dict[str, list[int]]  # ticket gid -> receipt times over all subscribers
    duplicates: int
    out_of_order: int
    other_frames: int
    missing_by_subscriber: list[int]
    first_send_ns: int
    last_receipt_ns: int
    server_cpu_s: float
    client_cpu_s: float
    rss_after: int


def print_report(run: FanOutRun, rss: Rss, solo_ms: float, connected: int, ready: int) -> None:
    ok = [s for s in run.sent if s.ok]
    expected = len(ok) * connected
    received = sum(len(times) for times in run.deliveries.values())
    from_commit: list[int] = []
    from_request: list[int] = []
    for s in ok:
        for received_ns in run.deliveries[s.ticket]:
            from_commit.append(received_ns - s.answered_ns)
            from_request.append(received_ns - s.started_ns)
    send_span = (max(s.started_ns for s in run.sent) - run.first_send_ns) / 1e9
    achieved = (len(run.sent) - 1) / send_span if send_span > 0 else float("nan")
    mutation_ms = statistics.median((s.answered_ns - s.started_ns) / 1e6 for s in run.sent)
    print()
    report.figure("subscribers connected", f"{connected:,}")
    report.figure("subscribers live (got a marker)", f"{ready:,}")
    report.figure("events sent (ok)", f"{len(ok)} of {len(run.sent)}")
    failed = [s for s in run.sent if not s.ok]
    if failed:
        print(f"    (first failure: {failed[0].error[:300]})")
    report.figure("send rate achieved (starts)", f"{achieved:.1f}/s")
    report.figure("mutation response p50", f"{mutation_ms:.1f} ms")
    report.figure("deliveries expected", f"{expected:,}")
    report.figure("deliveries received", f"{received:,}")
    missing = expected - received
    short = [n for n in run.missing_by_subscriber if n]
    report.figure("deliveries missing", f"{missing:,}")
    if short:
        print(f"    ({len(short)} subscribers short, up to {max(short)} events each)")
    if run.duplicates or run.out_of_order or run.other_frames:
        print(
            f"    duplicates {run.duplicates}, out of seq order {run.out_of_order}, "
            f"other frames {run.other_frames}"
        )
    if len(from_commit) >= 2:
        latency_table(
            {
                "from commit (response)": summarize(from_commit),
                "from request start": summarize(from_request),
            }
        )
        early = sum(1 for value in from_commit if value < 0)
        if early:
            print(f"  ({early:,} deliveries arrived before the mutation's HTTP response)")
        print()
        p99 = summarize(from_commit).p99
        report.figure(
            "p99 commit-to-client", f"{p99:.1f} ms", f"<= {GOAL_P99_MS:.0f} ms at 1,000 subs"
        )
    span = (run.last_receipt_ns - run.first_send_ns) / 1e9
    if span > 0:
        report.figure("deliveries per second", f"{received / span:,.0f}")
    events = max(1, len(ok))
    per_event_ms = run.server_cpu_s * 1000 / events
    report.figure("server CPU per event", f"{per_event_ms:.1f} ms")
    report.figure("server CPU per mutation, 0 subs", f"{solo_ms:.1f} ms")
    report.figure("capacity, one core (1000/CPU)", f"{1000 / per_event_ms:.1f} events/s")
    per_delivery_us = (per_event_ms - solo_ms) * 1000 / max(1, connected)
    report.figure("server CPU per delivery (extra)", f"{per_delivery_us:.0f} us")
    report.figure("client CPU per event (this proc)", f"{run.client_cpu_s * 1000 / events:.1f} ms")
    kib_plain = (rss.plain - rss.before) / 1024 / max(1, connected)
    kib_subscribed = (rss.subscribed - rss.before) / 1024 / max(1, connected)
    report.figure("server RSS before sockets", f"{rss.before / 2**20:.1f} MiB")
    report.figure(
        "RSS per idle subscriber",
        f"{kib_subscribed:.1f} KiB",
        f"<= {GOAL_KIB_PER_CONNECTION:.0f} KiB",
    )
    report.figure("RSS per idle plain socket", f"{kib_plain:.1f} KiB")
    print("    (plain: connection_init acknowledged, no subscription)")
    report.figure("server RSS after fan-out", f"{run.rss_after / 2**20:.1f} MiB")


def latency_table(rows: dict[str, Summary]) -> None:
    print(f"\n  {'':<26}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'mean':>9}")
    for label, s in rows.items():
        cells = "".join(f"{value:>9.2f}" for value in (s.p50, s.p90, s.p99, s.max, s.mean))
        print(f"  {label:<26}{cells}")
    print("  (milliseconds, one sample per delivery)")
