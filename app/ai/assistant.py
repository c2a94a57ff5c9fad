"""Choosing the provider for each AI call, and recording every call.

The local provider is always there; an external one (Anthropic) is used when configured,
unless the text is CSEA-flagged and the tenant has not allowed it to leave Haven, or the
tenant's plan has no calls left this month (then what someone asked for is refused with
AI_QUOTA_EXCEEDED, and automatic triage is done locally). When the external provider fails
after its own retries, the local provider answers instead, so a ticket is never left waiting on
a service that is down. Each attempt is recorded in `ai_calls`, in a transaction of its own so
that a failure is recorded even when the caller's work is rolled back."""

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from app.ai.contract import AIFailed, AIProvider, Made, Purpose
from app.ai.models import AICall, Outcome
from app.ai.quota import QuotaExceeded, calls_left
from app.kit.db import Database

logger = logging.getLogger("haven.ai")

STAYS_LOCAL = "CSEA-flagged text stays with the local provider"


class Answered(Protocol):
    @property
    def made(self) -> Made: ...


Answer = TypeVar("Answer", bound=Answered)


@dataclass(frozen=True)
class Call:
    """One thing asked of AI: for whom, about which ticket, and how it may be served."""

    tenant_id: uuid.UUID
    purpose: Purpose
    ticket_id: uuid.UUID | None = None
    # Someone asked for it (counted, refused over quota), rather than automatic triage.
    requested: bool = True
    # CSEA-flagged text: external providers only with the tenant's consent.
    sensitive: bool = False
    external_allowed_for_sensitive: bool = False


class Assistant:
    def __init__(self, db: Database, local: AIProvider, external: AIProvider | None) -> None:
        self.db, self.local, self.external = db, local, external

    async def run(
        self,
        call: Call,
        ask: Callable[[AIProvider], Awaitable[Answer]],
        *,
        keep_local: str | None = None,
    ) -> tuple[Answer, str | None]:
        """`ask` answered by the right provider; with why the external one was passed over
        (`keep_local` says why it must be, when the caller knows)."""
        if call.requested:
            await self._check_quota(call)
        external, reason = (None, keep_local) if keep_local else await self._external_for(call)
        if external is not None:
            try:
                return await self._attempt(call, external, ask), None
            except AIFailed as error:
                logger.warning("%s by %s failed: %s", call.purpose, external.name, error.message)
                reason = f"{external.name} failed: {error.message}"
        return await self._attempt(call, self.local, ask), reason

    async def locally(self, call: Call, ask: Callable[[AIProvider], Awaitable[Answer]]) -> Answer:
        """`ask` answered by the local provider (recorded, never counted nor refused)."""
        return await self._attempt(replace(call, requested=False), self.local, ask)

    async def _check_quota(self, call: Call) -> None:
        async with self.db.read() as session:
            left = await calls_left(session, call.tenant_id)
        if left is not None and left <= 0:
            provider = self.external or self.local
            await self._record(call, provider.name, provider.model, Outcome.OVER_QUOTA, 0)
            raise QuotaExceeded(
                "This plan's AI calls for the month are used up; upgrade for unlimited calls"
            )

    async def _external_for(self, call: Call) -> tuple[AIProvider | None, str | None]:
        if self.external is None:
            return None, None
        if call.sensitive and not call.external_allowed_for_sensitive:
            return None, STAYS_LOCAL
        if not call.requested:
            async with self.db.read() as session:
                left = await calls_left(session, call.tenant_id)
            if left is not None and left <= 0:
                return None, "the plan's AI calls for the month are used up"
        return self.external, None

    async def _attempt(
        self, call: Call, provider: AIProvider, ask: Callable[[AIProvider], Awaitable[Answer]]
    ) -> Answer:
        started = time.perf_counter()
        try:
            answer = await ask(provider)
        except AIFailed as error:
            elapsed = _ms(started)
            await self._record(call, provider.name, provider.model, Outcome.FAILED, elapsed, error)
            raise
        made = answer.made
        await self._record(call, made.provider, made.model, Outcome.OK, _ms(started), made=made)
        return answer

    async def _record(
        self,
        call: Call,
        provider: str,
        model: str,
        outcome: Outcome,
        latency_ms: int,
        error: AIFailed | None = None,
        *,
        made: Made | None = None,
    ) -> None:
        usage = made.usage if made else None
        async with self.db.transaction() as work:
            work.session.add(
                AICall(
                    tenant_id=call.tenant_id,
                    ticket_id=call.ticket_id,
                    purpose=call.purpose,
                    provider=provider,
                    model=model,
                    input_tokens=usage.input_tokens if usage else 0,
                    output_tokens=usage.output_tokens if usage else 0,
                    cache_read_tokens=usage.cache_read_tokens if usage else 0,
                    cache_write_tokens=usage.cache_write_tokens if usage else 0,
                    latency_ms=latency_ms,
                    outcome=outcome,
                    counted=call.requested or provider != self.local.name,
                    error=error.message if error else None,
                )
            )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
