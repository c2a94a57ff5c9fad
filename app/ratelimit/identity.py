"""Who a request is charged to: the API key or signed-in user behind its credentials, and the
plan of their tenant, remembered for a few seconds so most requests cost no extra lookup."""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.auth.principal import Principal
from app.graphql.context import authenticate, credentials
from app.kit.errors import HavenError
from app.services import Services
from app.tenants.models import Plan, Tenant
from app.tickets.models import ActorKind

# Bounds the memory a stream of made-up credentials can take.
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Caller:
    plan: Plan
    identity: str  # "key:<api key id>" or "user:<user id>"


class CallerCache:
    def __init__(self, services: Services, ttl: float) -> None:
        self.services, self.ttl = services, ttl
        self.entries: OrderedDict[str, tuple[float, Caller | None]] = OrderedDict()

    async def caller(self, headers: Any) -> Caller | None:
        """The caller, or None for no or refused credentials (the app answers those itself)."""
        found = credentials(headers)
        if found is None:
            return None
        # Keyed by a digest, so raw secrets are not kept around in memory.
        key = hashlib.sha256(f"{found[0]}:{found[1]}".encode()).hexdigest()
        now = time.monotonic()
        cached = self.entries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        caller = await self.look_up(found)
        # Refusals are remembered too: a secret that is wrong now stays wrong.
        self.entries[key] = (now + self.ttl, caller)
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)
        return caller

    async def look_up(self, found: tuple[str, str]) -> Caller | None:
        try:
            principal = await authenticate(self.services, found)
        except HavenError:
            return None
        if principal is None:
            return None
        async with self.services.db.read() as session:
            plan = await session.scalar(select(Tenant.plan).where(Tenant.id == principal.tenant_id))
        return Caller(Plan(plan or Plan.FREE), identity_of(principal))


def identity_of(principal: Principal) -> str:
    kind = "key" if principal.kind == ActorKind.API_KEY else "user"
    return f"{kind}:{principal.actor_id}"
