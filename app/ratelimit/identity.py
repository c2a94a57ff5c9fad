"""Who a request is charged to: the API key or signed-in user the request authenticated as,
and the plan of their tenant.

Requests to the API were authenticated once already (app.auth.authentication); only their
tenant's plan is looked up here, remembered for a few seconds. Signed webhooks authenticate
their keys in batches inside ingestion, after the charge, so for them the key is identified here
by its hash alone (read-only, remembered for a few seconds too)."""

import hashlib
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select

from app.auth import repository as auth_repository
from app.auth.authentication import credentials
from app.auth.principal import Principal
from app.auth.secrets import digest
from app.kit.actors import ActorKind
from app.services import Services
from app.tenants.models import Plan, Tenant

# Bounds the memory a stream of made-up credentials can take.
MAX_ENTRIES = 10_000

Key = TypeVar("Key")
Value = TypeVar("Value")


@dataclass(frozen=True)
class Caller:
    plan: Plan
    identity: str  # "key:<api key id>" or "user:<user id>"


def identity_of(principal: Principal) -> str:
    kind = "key" if principal.kind == ActorKind.API_KEY else "user"
    return f"{kind}:{principal.actor_id}"


class Remembered(Generic[Key, Value]):
    """A bounded map whose entries are forgotten `ttl` seconds after they were learnt."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.entries: OrderedDict[Key, tuple[float, Value]] = OrderedDict()

    def get(self, key: Key) -> tuple[Value] | None:
        found = self.entries.get(key)
        return (found[1],) if found is not None and found[0] > time.monotonic() else None

    def put(self, key: Key, value: Value) -> None:
        self.entries[key] = (time.monotonic() + self.ttl, value)
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)


class Callers:
    def __init__(self, services: Services, ttl: float) -> None:
        self.services = services
        self.plans: Remembered[uuid.UUID, Plan] = Remembered(ttl)
        self.keys: Remembered[str, Caller | None] = Remembered(ttl)

    async def of(self, principal: Principal) -> Caller:
        return Caller(await self.plan(principal.tenant_id), identity_of(principal))

    async def plan(self, tenant_id: uuid.UUID) -> Plan:
        known = self.plans.get(tenant_id)
        if known is not None:
            return known[0]
        async with self.services.db.read() as session:
            found = await session.scalar(select(Tenant.plan).where(Tenant.id == tenant_id))
        plan = Plan(found or Plan.FREE)
        self.plans.put(tenant_id, plan)
        return plan

    async def of_webhook(self, headers: Any) -> Caller | None:
        """The API key a webhook delivery carries, or None for none or an unknown one."""
        found = credentials(headers)
        if found is None or found[0] != "api_key":
            return None
        # Keyed by a digest, so raw secrets are not kept around in memory. Refusals are
        # remembered too: a secret that is wrong now stays wrong.
        key = hashlib.sha256(found[1].encode()).hexdigest()
        known = self.keys.get(key)
        if known is not None:
            return known[0]
        async with self.services.db.read() as session:
            live = await auth_repository.api_keys_by_hash(session, [digest(found[1])])
        api_key = next(iter(live.values()), None)
        caller = None
        if api_key is not None:
            caller = Caller(await self.plan(api_key.tenant_id), f"key:{api_key.id}")
        self.keys.put(key, caller)
        return caller
