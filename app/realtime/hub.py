"""One hub per process: it hears that a tenant has new events, reads them from Postgres once,
renders each once, and hands it to every local subscriber whose topic and role match.

Subscribers get bounded queues; one that falls behind gets `RESYNC` instead of unbounded
memory. Wake-ups come from broadcaster (other processes), from this process's own commits,
and from a slow poll that repairs anything a lost wake-up would have delayed."""

import asyncio
import logging
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from broadcaster import Broadcast

from app.auth.access import subject_of
from app.events.models import Event, EventType
from app.events.repository import EventRepository
from app.kit.db import Database
from app.kit.metrics import observe_fanout_delay
from app.realtime.broker import CATCH_UP, CHANNEL
from app.realtime.live import LiveEvent, render

logger = logging.getLogger("haven.realtime")
RESYNC = object()  # placed in a queue that overflowed; the stream then ends with a resync


class Watcher(Protocol):
    """A live connection, told when an access change names one of its subjects."""

    suspended: bool

    @property
    def tenant_id(self) -> uuid.UUID: ...

    @property
    def subjects(self) -> frozenset[tuple[str, Any]]: ...

    def suspend(self) -> None: ...


@dataclass(eq=False)
class Subscription:
    """A subscriber's bounded backlog. Idle subscribers far outnumber busy ones, so the backlog
    and the waiter exist only while in use (an asyncio.Queue kept ~3 KiB per subscriber)."""

    tenant_id: uuid.UUID
    topic: str
    sees_internal: bool
    limit: int
    backlog: deque[Any] | None = None
    waiter: asyncio.Future[None] | None = None
    overflowed: bool = False
    # The connection it belongs to: nothing is delivered while that connection is suspended.
    owner: Watcher | None = None

    def offer(self, event: LiveEvent) -> None:
        if self.overflowed:
            return
        if self.backlog is None:
            self.backlog = deque()
        if len(self.backlog) >= self.limit:
            self.end()
            return
        self.backlog.append(event)
        self._wake()

    def end(self) -> None:
        """Drop what is pending and end the stream with a resync: the subscriber reloads."""
        self.overflowed = True
        self.backlog = deque([RESYNC])
        self._wake()

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def get(self) -> Any:
        """The next event (or RESYNC), waiting for one if none is pending."""
        while not self.backlog:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        item = self.backlog.popleft()
        if not self.backlog:
            self.backlog = None
        return item

    def wants(self, event: LiveEvent) -> bool:
        if self.owner is not None and self.owner.suspended:
            return False
        return self.topic in event.topics and (self.sees_internal or not event.internal)


@dataclass
class EventHub:
    db: Database
    broadcast: Broadcast
    queue_size: int = 1024
    poll_seconds: float = 5.0
    batch: int = 500
    subscriptions: dict[uuid.UUID, set[Subscription]] = field(
        default_factory=lambda: defaultdict(set)
    )
    watchers: dict[uuid.UUID, set[Watcher]] = field(default_factory=lambda: defaultdict(set))
    positions: dict[uuid.UUID, int] = field(default_factory=dict)
    draining: dict[uuid.UUID, asyncio.Task[None]] = field(default_factory=dict)
    pending: set[uuid.UUID] = field(default_factory=set)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    publish_failing: bool = False

    async def start(self) -> None:
        await self.broadcast.connect()
        ready = asyncio.Event()
        self.tasks = [
            asyncio.create_task(self._listen(ready)),
            asyncio.create_task(self._poll()),
        ]
        await ready.wait()

    @property
    def started(self) -> bool:
        return bool(self.tasks)

    async def stop(self) -> None:
        tasks, self.tasks = [*self.tasks, *self.draining.values()], []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.broadcast.disconnect()

    async def announce(self, committed: Iterable[Any]) -> None:
        """Called after a local commit: wake local subscribers and tell the other processes."""
        latest: dict[uuid.UUID, int] = {}
        for item in committed:
            latest[item.tenant_id] = max(item.seq, latest.get(item.tenant_id, 0))
        for tenant_id, seq in latest.items():
            self.wake(tenant_id)
            try:
                await self.broadcast.publish(CHANNEL, f"{tenant_id}:{seq}")
            except Exception as error:  # the poll and catch-up deliver it; never fail a commit
                if not self.publish_failing:  # once per outage, not once per commit
                    logger.warning(
                        "cannot publish event wake-ups (%s); other processes "
                        "fall back to polling until it recovers",
                        error,
                    )
                self.publish_failing = True
            else:
                if self.publish_failing:
                    logger.info("publishing event wake-ups again")
                self.publish_failing = False

    def _followed(self, tenant_id: uuid.UUID) -> bool:
        return tenant_id in self.subscriptions or tenant_id in self.watchers

    async def _follow(self, tenant_id: uuid.UUID) -> None:
        if not self._followed(tenant_id):
            # Nobody was listening, so nothing advanced the position while events were written;
            # start from the log's end, or those events would reach this subscriber as new.
            async with self.db.read() as session:
                latest = await EventRepository(session, tenant_id).latest_seq()
            self.positions[tenant_id] = max(latest, self.positions.get(tenant_id, 0))

    async def subscribe(
        self,
        tenant_id: uuid.UUID,
        topic: str,
        sees_internal: bool,
        owner: Watcher | None = None,
    ) -> Subscription:
        """Register first, so nothing committed from here on can be missed."""
        await self._follow(tenant_id)
        subscription = Subscription(tenant_id, topic, sees_internal, self.queue_size, owner=owner)
        self.subscriptions[tenant_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        tenant = self.subscriptions.get(subscription.tenant_id)
        if tenant is not None:
            tenant.discard(subscription)
            if not tenant:
                del self.subscriptions[subscription.tenant_id]

    async def watch(self, watcher: Watcher) -> None:
        """Tell `watcher` of access changes to its subjects from now on, in event order."""
        await self._follow(watcher.tenant_id)
        self.watchers[watcher.tenant_id].add(watcher)

    def unwatch(self, watcher: Watcher) -> None:
        tenant = self.watchers.get(watcher.tenant_id)
        if tenant is not None:
            tenant.discard(watcher)
            if not tenant:
                del self.watchers[watcher.tenant_id]

    def end_subscriptions(self, owner: Watcher) -> None:
        for subscription in list(self.subscriptions.get(owner.tenant_id, ())):
            if subscription.owner is owner:
                subscription.end()

    def wake(self, tenant_id: uuid.UUID) -> None:
        if not self._followed(tenant_id):
            return
        if tenant_id in self.draining:
            self.pending.add(tenant_id)
            return
        task = asyncio.create_task(self._drain(tenant_id))
        self.draining[tenant_id] = task

    async def _drain(self, tenant_id: uuid.UUID) -> None:
        """Deliver every event after this process's position, in order, once each."""
        try:
            while True:
                self.pending.discard(tenant_id)
                async with self.db.read() as session:
                    rows = await EventRepository(session, tenant_id).since(
                        self.positions.get(tenant_id, 0), limit=self.batch
                    )
                for row in rows:
                    if row.type == EventType.ACCESS_CHANGED:
                        self._access_changed(row)
                    elif self.subscriptions.get(tenant_id):
                        self._deliver(render(row))
                    self.positions[tenant_id] = row.seq
                if len(rows) < self.batch and tenant_id not in self.pending:
                    return
        except Exception:
            logger.exception("reading events for tenant %s failed; the poll retries", tenant_id)
        finally:
            self.draining.pop(tenant_id, None)

    def _access_changed(self, row: Event) -> None:
        """Suspend the connections the change names before any later event is delivered."""
        subject = subject_of(row.payload)
        for watcher in list(self.watchers.get(row.tenant_id, ())):
            if subject in watcher.subjects:
                watcher.suspend()

    def _deliver(self, event: LiveEvent) -> None:
        observe_fanout_delay(event.view.occurred_at)
        for subscription in list(self.subscriptions.get(event.tenant_id, ())):
            if subscription.wants(event):
                subscription.offer(event)

    async def _listen(self, ready: asyncio.Event) -> None:
        async with self.broadcast.subscribe(CHANNEL) as subscriber:
            ready.set()
            async for message in subscriber:  # type: ignore[union-attr]
                if message is None:
                    return
                if message.message == CATCH_UP:
                    for tenant_id in self._all_followed():
                        self.wake(tenant_id)
                    continue
                try:
                    self.wake(uuid.UUID(message.message.partition(":")[0]))
                except ValueError:
                    logger.warning("ignored malformed wake-up %r", message.message)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            for tenant_id in self._all_followed():
                self.wake(tenant_id)

    def _all_followed(self) -> list[uuid.UUID]:
        return list({*self.subscriptions, *self.watchers})
