"""Latency summaries from per-request samples (nanoseconds)."""

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float  # all times in milliseconds
    p90: float
    p99: float
    max: float
    mean: float

    @property
    def per_second(self) -> float:
        """Throughput of one sequential client: requests over the time spent in them."""
        return 1000 / self.mean


def summarize(samples_ns: list[int]) -> Summary:
    millis = [sample / 1e6 for sample in samples_ns]
    # 99 cut points; "inclusive" interpolates between samples, so p99 of 500 is not just the max.
    cuts = statistics.quantiles(millis, n=100, method="inclusive")
    return Summary(
        count=len(millis),
        p50=cuts[49],
        p90=cuts[89],
        p99=cuts[98],
        max=max(millis),
        mean=statistics.fmean(millis),
    )
