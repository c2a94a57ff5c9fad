"""The fast path between processes: broadcaster, over Redis when configured.

Only a wake-up travels here ("tenant T has events up to seq S"); subscribers read the events
themselves from Postgres. So a lost message costs latency, never an event."""

import asyncio
import logging
from typing import Any

from broadcaster import Broadcast, Event
from broadcaster._backends.base import BroadcastBackend
from redis import asyncio as redis

logger = logging.getLogger("haven.realtime")

CHANNEL = "haven:events"
# Sent to the local listener after a reconnect: whatever was published meanwhile is lost, so
# every tenant must catch up from the event table.
CATCH_UP = "catch-up"


class RedisBackend(BroadcastBackend):
    """Redis pub/sub through `redis.asyncio`, reconnecting with backoff on its own.

    broadcaster's bundled Redis backend neither reconnects nor (with redis-py 8) delivers, so
    Haven supplies this one under broadcaster's interface."""

    def __init__(self, url: str, max_backoff: float = 5.0) -> None:
        self.url, self.max_backoff = url, max_backoff
        self.channels: set[str] = set()
        self.client: Any = None
        self.pubsub: Any = None
        # redis-py's pubsub has no connection until its first subscribe and raises if read
        # before then, yet broadcaster starts reading at connect(): reads wait for this.
        self.subscribed = asyncio.Event()

    async def connect(self) -> None:
        self.client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.subscribed.clear()  # a new pubsub, not subscribed to anything yet

    async def disconnect(self) -> None:
        if self.pubsub is not None:
            await self.pubsub.aclose()
        if self.client is not None:
            await self.client.aclose()

    async def subscribe(self, channel: str) -> None:
        self.channels.add(channel)
        await self.pubsub.subscribe(channel)
        self.subscribed.set()

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        await self.pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self.client.publish(channel, message)

    async def next_published(self) -> Event:
        while True:
            await self.subscribed.wait()
            try:
                message = await self.pubsub.get_message(timeout=None)
            except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
                logger.warning("redis listener lost its connection: %s", error)
                await self._reconnect()
                return Event(CHANNEL, CATCH_UP)
            if message is not None and message["type"] == "message":
                return Event(message["channel"].decode(), message["data"].decode())

    async def _reconnect(self) -> None:
        delay = 0.05
        while True:
            try:
                await self.disconnect()
                await self.connect()
                for channel in list(self.channels):
                    await self.subscribe(channel)
                logger.info("redis listener reconnected")
                return
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)


def make_broadcast(redis_url: str | None, database_url: str | None) -> Broadcast:
    """Redis when configured; else Postgres LISTEN/NOTIFY for an external database shared by
    several processes; else in-process for the single embedded install."""
    if redis_url:
        return Broadcast(backend=RedisBackend(redis_url))
    if database_url:
        return Broadcast(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    return Broadcast("memory://")
