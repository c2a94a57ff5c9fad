"""Charging requests against moving-window limits kept in Redis (shared by every process) or,
without Redis, in this process's memory."""

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """A budget of `amount` units per minute; `name` keeps budgets of one caller apart."""

    name: str
    amount: int


@dataclass(frozen=True)
class Decision:
    policy: Policy
    allowed: bool
    remaining: int
    reset: int  # seconds until the oldest charge leaves the window

    @property
    def used_fraction(self) -> float:
        return 1 - self.remaining / self.policy.amount if self.policy.amount else 1.0


def make_storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    # redis-py is already a dependency (the event broker); `limits` defaults to coredis. Short
    # timeouts: an unreachable Redis must cost a request half a second, not the OS's minutes.
    return RedisStorage(
        f"async+{redis_url}",
        implementation="redispy",
        wrap_exceptions=True,
        key_prefix="haven-rl",
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
    )


class Limiter:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)

    async def charge(self, policy: Policy, identity: str, cost: int = 1) -> Decision | None:
        """Take `cost` units from `identity`'s budget; None when the storage is unreachable,
        since a Redis outage should slow nothing down rather than refuse every request."""
        item = RateLimitItemPerMinute(policy.amount, namespace=policy.name)
        try:
            # More than the whole budget can never fit; the storage need not hold that many.
            allowed = cost <= policy.amount and await self.strategy.hit(item, identity, cost=cost)
            reset_at, remaining = await self.strategy.get_window_stats(item, identity)
        except StorageError as error:
            log.warning("rate limit storage unavailable, not limiting: %s", error)
            return None
        # When the oldest charge leaves the window; for a large cost it may take a few more.
        reset = max(1, math.ceil(reset_at - time.time()))
        return Decision(policy, allowed, max(0, remaining), reset)
