"""A subscriber's stream: replay from its cursor out of Postgres, then live, by `seq`."""

from collections.abc import AsyncIterator

from app.auth.principal import Principal
from app.events.repository import EventRepository
from app.kit.db import Database
from app.realtime.hub import RESYNC, EventHub, Watcher
from app.realtime.live import parse_event_cursor, render, resync
from app.realtime.types import LiveEventType


async def _replay(
    db: Database, principal: Principal, topic: str, after: int, owner: Watcher | None
) -> AsyncIterator[LiveEventType | None]:
    """Stored events after `after` on this topic; None first if retention removed some, and
    None as soon as the owning connection is suspended by an access change."""
    async with db.read() as session:
        events = EventRepository(session, principal.tenant_id)
        latest = await events.latest_seq()
        # Numbers are gapless, so the event right after the cursor, if there is one, must still
        # be stored; if retention removed it (or everything after the cursor) events are lost.
        pruned = after < latest and await events.first_retained_after(after) != after + 1
        if pruned or after > latest:
            yield None
            return
    while True:
        async with db.read() as session:
            rows = await EventRepository(session, principal.tenant_id).since(after, topic=topic)
        for row in rows:
            after = row.seq
            if owner is not None and owner.suspended:
                yield None
                return
            if principal.sees_internal or not row.internal:
                yield render(row).view
        if len(rows) < 500:
            return


async def _latest(db: Database, principal: Principal) -> int:
    async with db.read() as session:
        return await EventRepository(session, principal.tenant_id).latest_seq()


async def live_events(
    hub: EventHub,
    principal: Principal,
    topic: str,
    after: str | None,
    owner: Watcher | None = None,
) -> AsyncIterator[LiveEventType]:
    """Every event on `topic` after `after` (or from now), in order, each exactly once; the
    stream ends with a resync when `owner`, the connection, is suspended."""
    start = parse_event_cursor(after) if after is not None else None
    subscription = await hub.subscribe(
        principal.tenant_id, topic, principal.sees_internal, owner=owner
    )
    try:
        # Without a cursor, start at the log's end as committed now: the hub's own position can
        # lag a moment behind, and events from before subscribing must not arrive as new.
        last = start if start is not None else await _latest(hub.db, principal)
        if start is not None:
            async for view in _replay(hub.db, principal, topic, start, owner):
                if view is None:
                    yield resync(start)
                    return
                yield view
                last = view.seq
        while True:
            item = await subscription.get()
            if item is RESYNC:
                yield resync(last)
                return
            if item.seq > last:
                last = item.seq
                yield item.view
    finally:
        hub.unsubscribe(subscription)
