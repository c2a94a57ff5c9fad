"""`python -m bench [NAME ...]`: run the named benchmarks, or all of them, in order.

Each benchmark is a module with `run(env)`; it gets its own fresh database so one benchmark's
rows and caches never colour another's figures. Add new ones to BENCHMARKS.
"""

import argparse
from collections.abc import Callable

from bench import (
    ai,
    board_query,
    fanout,
    ingest,
    knowledge,
    knowledge_calibration,
    knowledge_eval,
    outbound,
    report,
)
from bench.environment import Environment, haven_database

BENCHMARKS: dict[str, Callable[[Environment], None]] = {
    "ai": ai.run,
    "board": board_query.run,
    "fanout": fanout.run,
    "ingest": ingest.run,
    "knowledge": knowledge.run,
    "outbound": outbound.run,
}
# Studies of knowledge search's quality, run by `knowledge --eval` / `--calibrate` instead of
# its timings.
STUDIES: dict[str, Callable[[Environment], None]] = {
    "eval": knowledge_eval.run,
    "calibrate": knowledge_calibration.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--eval", action="store_true", help="knowledge: ranking quality on the labelled set"
    )
    parser.add_argument(
        "--calibrate", action="store_true", help="knowledge: fit the similarity calibration"
    )
    options = parser.parse_args()
    names = options.names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    studies = [STUDIES[name] for name in STUDIES if getattr(options, name)]
    if studies and names != ["knowledge"]:
        parser.error("--eval and --calibrate study `knowledge` alone")
    report.header()
    for benchmark in studies or [BENCHMARKS[name] for name in names]:
        with haven_database() as env:
            benchmark(env)


if __name__ == "__main__":
    main()
