"""`python -m bench [NAME ...]`: run the named benchmarks, or all of them, in order.

Each benchmark is a module with `run(env)`; it gets its own fresh database so one benchmark's
rows and caches never colour another's figures. Add new ones to BENCHMARKS.
"""

import argparse
from collections.abc import Callable

from bench import board_query, fanout, ingest, report
from bench.environment import Environment, haven_database

BENCHMARKS: dict[str, Callable[[Environment], None]] = {
    "board": board_query.run,
    "fanout": fanout.run,
    "ingest": ingest.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    names = parser.parse_args().names or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    report.header()
    for name in names:
        with haven_database() as env:
            BENCHMARKS[name](env)


if __name__ == "__main__":
    main()
