"""Sending an endpoint's deliveries, one at a time and in the order of their events.

A `webhook_deliver` job is queued with every delivery (by the trigger that writes them) and
whenever one is replayed. The job takes the endpoint's lease, so only one sender works an
endpoint at a time; it sends the earliest pending delivery, then the next, until none is due.
A delivery that failed waits for its next attempt and every later one waits behind it: a
receiver never sees event 7 before event 6. The lease lapses if its holder dies, and a sweep
every minute queues a job for any endpoint with deliveries due and nobody sending, so a job
lost between two workers delays a delivery by a minute at most, never drops it."""

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import Event
from app.kit.backoff import Backoff
from app.kit.db import Database
from app.kit.models import utcnow
from app.kit.outbound import Outbound, OutboundError, Received, retry_after
from app.kit.sealing import Sealer
from app.outbound_webhooks import formats, payloads
from app.outbound_webhooks.models import (
    DeliveryStatus,
    EndpointFormat,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from app.outbound_webhooks.service import DELIVER_JOB, signing_secrets

logger = logging.getLogger("haven.outbound_webhooks")

EXCERPT_BYTES = 1024
LEASE = timedelta(seconds=60)
GONE = 410
_RETRY_JOB = text(
    "INSERT INTO pgqueuer (priority, entrypoint, payload, status, execute_after, dedupe_key) "
    "VALUES (0, :entrypoint, :payload, 'queued', :at, :key) ON CONFLICT DO NOTHING"
)


@dataclass(frozen=True)
class Retries:
    """When a failed delivery is tried again: the documents' 1, 5 and 30 minutes, then pauses
    doubling (jittered) up to a day; an endpoint failing for `give_up_after` is turned off."""

    first: tuple[timedelta, ...] = (
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
    )
    later: Backoff = field(default_factory=lambda: Backoff(3600.0, 86400.0))
    give_up_after: timedelta = timedelta(days=3)
    # The longest `Retry-After` honoured.
    longest_asked: timedelta = timedelta(days=1)

    def pause(self, failures: int, asked: float | None) -> timedelta:
        if asked is not None:
            return min(timedelta(seconds=asked), self.longest_asked)
        if failures <= len(self.first):
            return self.first[failures - 1]
        return timedelta(seconds=self.later.delay(failures - len(self.first)))


@dataclass(frozen=True)
class Outcome:
    status: int | None
    latency_ms: int
    excerpt: str | None
    error: str | None
    asked: float | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class WebhookSender:
    db: Database
    outbound: Outbound
    sealer: Sealer
    retries: Retries = field(default_factory=Retries)
    seconds: float = 10.0

    async def deliver(self, endpoint_id: uuid.UUID) -> int:
        """Send the endpoint's due deliveries in order; how many were attempted."""
        token, sent = uuid.uuid4(), 0
        while True:
            round = await self._drain(endpoint_id, token)
            sent += round
            # A delivery written while this sender held the lease had its job find the lease
            # taken; looking again once the lease is released picks it up.
            if not round or not await self._waiting(endpoint_id):
                return sent

    async def _drain(self, endpoint_id: uuid.UUID, token: uuid.UUID) -> int:
        sent = 0
        try:
            while True:
                async with self.db.transaction() as work:
                    turn = await self._next(work.session, endpoint_id, token)
                if turn is None:
                    return sent
                endpoint, delivery, wire = turn
                outcome = await self._attempt(endpoint.url, wire)
                async with self.db.transaction() as work:
                    await self._record(work.session, endpoint.id, delivery.id, outcome)
                sent += 1
        finally:
            async with self.db.transaction() as work:
                await _release(work.session, endpoint_id, token)

    async def _next(
        self, session: AsyncSession, endpoint_id: uuid.UUID, token: uuid.UUID
    ) -> tuple[WebhookEndpoint, WebhookDelivery, formats.Wire] | None:
        """Take (or renew) the lease and the earliest pending delivery, if it is due."""
        now = utcnow()
        endpoint = await _claim(session, endpoint_id, token, now)
        if endpoint is None:
            return None
        delivery = await session.scalar(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.endpoint_id == endpoint_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
            )
            .order_by(WebhookDelivery.seq, WebhookDelivery.position)
            .limit(1)
        )
        if delivery is None:
            return None
        if delivery.next_attempt_at > now:
            await _retry_job(session, endpoint_id, delivery.next_attempt_at)
            return None
        event = await session.get(Event, (delivery.tenant_id, delivery.seq))
        assert event is not None  # deliveries go with their event (foreign key, cascade)
        return endpoint, delivery, self._wire(endpoint, delivery, event, now)

    def _wire(
        self, endpoint: WebhookEndpoint, delivery: WebhookDelivery, event: Event, now: datetime
    ) -> formats.Wire:
        body = payloads.message(delivery.event, event)
        if endpoint.format != EndpointFormat.STANDARD:
            return formats.chat(endpoint.format, body)
        secrets = signing_secrets(endpoint, self.sealer, now)
        return formats.standard(body, delivery.id, secrets, int(now.timestamp()))

    async def _attempt(self, url: str, wire: formats.Wire) -> Outcome:
        began = time.perf_counter()
        try:
            received = await self.outbound.send(
                "POST", url, headers=wire.headers, content=wire.content, seconds=self.seconds
            )
        except OutboundError as error:
            elapsed = int((time.perf_counter() - began) * 1000)
            return Outcome(error.status, elapsed, None, error.message)
        elapsed = int((time.perf_counter() - began) * 1000)
        return _outcome(received, elapsed)

    async def _record(
        self,
        session: AsyncSession,
        endpoint_id: uuid.UUID,
        delivery_id: uuid.UUID,
        outcome: Outcome,
    ) -> None:
        now = utcnow()
        endpoint = await session.get(WebhookEndpoint, endpoint_id, with_for_update=True)
        delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if endpoint is None or delivery is None:
            return  # deleted while the call was out
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = outcome.status, outcome.error
        session.add(
            WebhookAttempt(
                tenant_id=delivery.tenant_id,
                delivery_id=delivery.id,
                number=delivery.attempts,
                status_code=outcome.status,
                latency_ms=outcome.latency_ms,
                response_excerpt=outcome.excerpt,
                error=outcome.error,
            )
        )
        if outcome.delivered:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            endpoint.failing_since = None
        elif outcome.status == GONE:
            await _disable(session, endpoint, "the endpoint answered 410 Gone", now)
        else:
            delivery.next_attempt_at = now + self.retries.pause(delivery.attempts, outcome.asked)
            endpoint.failing_since = endpoint.failing_since or now
            if now - endpoint.failing_since >= self.retries.give_up_after:
                days = self.retries.give_up_after / timedelta(days=1)
                reason = f"every attempt failed for {days:g} days (last: {_said(outcome)})"
                await _disable(session, endpoint, reason, now)

    async def _waiting(self, endpoint_id: uuid.UUID) -> bool:
        """Whether the endpoint has a delivery due and nobody sending it."""
        async with self.db.read() as session:
            found = await session.scalar(
                select(_due(utcnow())).where(WebhookEndpoint.id == endpoint_id)
            )
        return bool(found)

    async def sweep(self) -> int:
        """Queue a job for every endpoint with deliveries due and nobody sending; how many."""
        async with self.db.transaction() as work:
            ids = list(await work.session.scalars(select(WebhookEndpoint.id).where(_due(utcnow()))))
            for endpoint_id in ids:
                await _retry_job(work.session, endpoint_id, utcnow())
        return len(ids)


def _due(now: datetime) -> ColumnElement[bool]:
    pending = exists().where(
        WebhookDelivery.endpoint_id == WebhookEndpoint.id,
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= now,
    )
    free = or_(WebhookEndpoint.lease_until.is_(None), WebhookEndpoint.lease_until < now)
    return and_(WebhookEndpoint.active, free, pending)


def _outcome(received: Received, elapsed: int) -> Outcome:
    excerpt = received.content[:EXCERPT_BYTES].decode(errors="replace") or None
    status = received.status
    if 200 <= status < 300:
        return Outcome(status, elapsed, excerpt, None)
    error = f"answered {status}" + (", a redirect (not followed)" if 300 <= status < 400 else "")
    return Outcome(status, elapsed, excerpt, error, retry_after(received.headers))


def _said(outcome: Outcome) -> str:
    return outcome.error or f"answered {outcome.status}"


async def _claim(
    session: AsyncSession, endpoint_id: uuid.UUID, token: uuid.UUID, now: datetime
) -> WebhookEndpoint | None:
    """The endpoint, leased to `token` for another LEASE, unless another sender holds it or
    the endpoint is off."""
    lapsed = or_(
        WebhookEndpoint.lease_token == token,
        WebhookEndpoint.lease_until.is_(None),
        WebhookEndpoint.lease_until < now,
    )
    claimed = await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.active, lapsed)
        # A lease is not an edit: `updated_at` stays.
        .values(lease_token=token, lease_until=now + LEASE, updated_at=WebhookEndpoint.updated_at)
        .returning(WebhookEndpoint)
        .execution_options(populate_existing=True)
    )
    return claimed.scalar_one_or_none()


async def _release(session: AsyncSession, endpoint_id: uuid.UUID, token: uuid.UUID) -> None:
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.lease_token == token)
        .values(lease_token=None, lease_until=None, updated_at=WebhookEndpoint.updated_at)
    )


async def _retry_job(session: AsyncSession, endpoint_id: uuid.UUID, at: datetime) -> None:
    """A job for when the head delivery is due; senders that reach the same moment queue it
    once."""
    await session.execute(
        _RETRY_JOB,
        {
            "entrypoint": DELIVER_JOB,
            "payload": f'{{"endpoint_id": "{endpoint_id}"}}'.encode(),
            "at": at,
            "key": f"{DELIVER_JOB}:{endpoint_id}:{at.timestamp():.6f}",
        },
    )


async def _disable(
    session: AsyncSession, endpoint: WebhookEndpoint, reason: str, now: datetime
) -> None:
    """Turn the endpoint off, saying why; what it was still owed is marked failed, to replay
    once it is back."""
    endpoint.active, endpoint.disabled_at, endpoint.disabled_reason = False, now, reason
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.FAILED)
    )
    logger.warning(
        "webhook endpoint %s of tenant %s disabled: %s", endpoint.id, endpoint.tenant_id, reason
    )
