"""Pauses between attempts to reach a server that went away."""

import random
from dataclasses import dataclass

# 2**60 times any sensible `first` is past every ceiling; a larger power overflows a float
# after a few hours of failures in a row.
_MOST_DOUBLINGS = 60


@dataclass(frozen=True)
class Backoff:
    """Doubling from `first` up to `ceiling`, each pause drawn between half and all of that, so
    processes that lost the same server do not return to it in step."""

    first: float = 0.5
    ceiling: float = 30.0

    def delay(self, failures: int) -> float:
        """The pause after `failures` failed attempts in a row (the first pause after one)."""
        doublings = min(max(failures - 1, 0), _MOST_DOUBLINGS)
        bound = min(self.ceiling, self.first * 2**doublings)
        return random.uniform(bound / 2, bound)
