"""Budgets of the public endpoint beyond the per-address one the middleware charges: per form
(what a botnet can file into one tenant) and per email address (lookup mails)."""

import hashlib
import logging

from limits import RateLimitItemPerHour
from limits.errors import StorageError

from app.ratelimit.limiter import Decision, Policy
from app.services import Services

log = logging.getLogger(__name__)


def form_policy(services: Services) -> Policy:
    return Policy("intake-form", services.settings.rate_limit_intake_form_per_minute)


async def charge_form(services: Services, slug: str) -> Decision | None:
    """The form's decision, or None when limits are off or their storage is down."""
    if not services.settings.rate_limiting:
        return None
    return await services.limiter.charge(form_policy(services), slug)


async def lookup_allowed(services: Services, email: str) -> bool:
    """Whether another lookup mail may go to `email` this hour."""
    if not services.settings.rate_limiting:
        return True
    per_hour = services.settings.rate_limit_lookup_per_email_per_hour
    item = RateLimitItemPerHour(per_hour, namespace="portal-lookup")
    # Counters are keyed by a digest, so the limit store holds no addresses.
    identity = hashlib.sha256(email.encode()).hexdigest()
    try:
        return bool(await services.limiter.strategy.hit(item, identity))
    except StorageError as error:
        log.warning("rate limit storage unavailable, not limiting lookups: %s", error)
        return True
