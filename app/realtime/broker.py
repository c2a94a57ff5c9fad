"""The fast path between processes: broadcaster, over Redis when configured, else over
PostgreSQL LISTEN/NOTIFY when several processes share an external database.

Only a wake-up travels here ("tenant T has events up to seq S"); subscribers read the events
themselves from Postgres. So a lost message costs latency, never an event."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
from broadcaster import Broadcast, Event
from broadcaster._backends.base import BroadcastBackend
from redis import asyncio as redis

from app.kit.backoff import Backoff

logger = logging.getLogger("haven.realtime")

CHANNEL = "haven:events"
# Sent to the local listener after a reconnect: whatever was published meanwhile is lost, so
# every tenant must catch up from the event table.
CATCH_UP = "catch-up"
# The first attempt to reconnect comes at once; the pauses after failed ones start here.
FIRST_PAUSE = 0.05


class RedisBackend(BroadcastBackend):
    """Redis pub/sub through `redis.asyncio`, reconnecting with backoff on its own.

    broadcaster's bundled Redis backend neither reconnects nor (with redis-py 8) delivers, so
    Haven supplies this one under broadcaster's interface."""

    def __init__(self, url: str, max_backoff: float = 5.0) -> None:
        self.url, self.backoff = url, Backoff(FIRST_PAUSE, max_backoff)
        self.channels: set[str] = set()
        self.client: Any = None
        self.pubsub: Any = None
        # redis-py's pubsub has no connection until its first subscribe and raises if read
        # before then, yet broadcaster starts reading at connect(): reads wait for this.
        self.subscribed = asyncio.Event()
        # Set when subscribing found Redis away: the listener connects before reading.
        self.unreached = False

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
        """Listen on `channel`; with Redis away, the listener reconnects in the background
        (the hub's poll delivers meanwhile) instead of failing the process's start."""
        self.channels.add(channel)
        try:
            await self.pubsub.subscribe(channel)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
            logger.warning("redis listener cannot connect yet: %s", error)
            self.unreached = True
        self.subscribed.set()

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        await self.pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self.client.publish(channel, message)

    async def next_published(self) -> Event:
        while True:
            await self.subscribed.wait()
            if self.unreached:
                await self._reconnect()
                return Event(CHANNEL, CATCH_UP)
            try:
                message = await self.pubsub.get_message(timeout=None)
            except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
                logger.warning("redis listener lost its connection: %s", error)
                await self._reconnect()
                return Event(CHANNEL, CATCH_UP)
            if message is not None and message["type"] == "message":
                return Event(message["channel"].decode(), message["data"].decode())

    async def _reconnect(self) -> None:
        failures = 0
        while True:
            try:
                await self.disconnect()
                await self.connect()
                for channel in list(self.channels):
                    await self.pubsub.subscribe(channel)
                self.unreached = False
                self.subscribed.set()
                logger.info("redis listener reconnected")
                return
            except (redis.ConnectionError, redis.TimeoutError, OSError):
                failures += 1
                await asyncio.sleep(self.backoff.delay(failures))


# What a command or a connection attempt raises while the database is away, restarting, out
# of connection slots, or otherwise unable to serve this connection.
FAILURES = (OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresError)


class PostgresBackend(BroadcastBackend):
    """PostgreSQL LISTEN/NOTIFY through asyncpg, reconnecting with backoff on its own.

    broadcaster's bundled backend never reconnects after PostgreSQL restarts, cannot start
    while the database is down, and lets concurrent publishes collide on its one connection.
    This one notices a lost connection (asyncpg's termination callback, a failed command, an
    idle check), keeps trying in the background with capped, jittered pauses, listens again
    and then tells the hub to catch up. Every command is bounded by `timeout`, so neither
    startup nor a publish waits long on a database that does not answer."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        idle_check_seconds: float = 15.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.url, self.timeout, self.idle_check_seconds = url, timeout, idle_check_seconds
        self.backoff = Backoff(FIRST_PAUSE, max_backoff)
        self.channels: set[str] = set()
        # None until connected, and again from the moment a loss is noticed until reconnected.
        self.connection: asyncpg.Connection | None = None
        # Notifications, and None as a nudge to look at the connection (it was closed).
        self.received: asyncio.Queue[Event | None] = asyncio.Queue()
        # asyncpg runs one command at a time on a connection; publishes may come at once.
        self.turn = asyncio.Lock()

    async def connect(self) -> None:
        try:
            self.connection = await self._open()
        except FAILURES as error:
            # Startup carries on: broadcaster's listener task keeps trying (next_published),
            # and the hub's poll delivers until then.
            logger.warning(
                "cannot reach PostgreSQL for event wake-ups (%r); retrying in the background",
                error,
            )

    async def disconnect(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with suppress(*FAILURES):  # close() ends it by force when it cannot close it politely
                await connection.close(timeout=self.timeout)

    async def subscribe(self, channel: str) -> None:
        self.channels.add(channel)  # listened to again on every new connection
        connection = self.connection
        if connection is not None:
            with suppress(*FAILURES):  # _turn ended it; the next one listens to every channel
                async with self._turn(connection):
                    await connection.add_listener(channel, self._notified)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        connection = self.connection
        if connection is not None:
            with suppress(*FAILURES):  # _turn ended it; the next one will not listen to it
                async with self._turn(connection):
                    await connection.remove_listener(channel, self._notified)

    async def publish(self, channel: str, message: Any) -> None:
        connection = self.connection
        if connection is None or connection.is_closed():
            raise ConnectionError("no connection to PostgreSQL; reconnecting")
        async with self._turn(connection):
            await connection.execute("SELECT pg_notify($1, $2)", channel, str(message))

    async def next_published(self) -> Event:
        while True:
            connection = self.connection
            if connection is None or connection.is_closed():
                if connection is not None:  # a failure to connect at all was reported already
                    logger.warning("PostgreSQL wake-up listener lost its connection; reconnecting")
                self.connection = None
                await self._reconnect()
                return Event(CHANNEL, CATCH_UP)
            try:
                async with asyncio.timeout(self.idle_check_seconds):
                    received = await self.received.get()
            except TimeoutError:
                await self._check(connection)
                continue
            if received is not None:
                return received

    async def _open(self) -> asyncpg.Connection:
        """A new connection, listening on every channel subscribed so far."""
        connection = await asyncpg.connect(
            self.url,
            timeout=self.timeout,
            server_settings={"application_name": "haven wake-ups"},
        )
        try:
            connection.add_termination_listener(self._terminated)
            listening: set[str] = set()
            # A subscribe() meanwhile only records its channel (there is no connection yet).
            while missing := self.channels - listening:
                for channel in missing:
                    async with asyncio.timeout(self.timeout):
                        await connection.add_listener(channel, self._notified)
                    listening.add(channel)
        except BaseException:
            connection.terminate()
            raise
        return connection

    async def _reconnect(self) -> None:
        failures = 0
        while True:
            try:
                self.connection = await self._open()
            except FAILURES as error:
                failures += 1
                logger.debug("PostgreSQL wake-up listener cannot reconnect yet: %r", error)
                await asyncio.sleep(self.backoff.delay(failures))
            else:
                logger.info("PostgreSQL wake-up listener reconnected")
                return

    async def _check(self, connection: asyncpg.Connection) -> None:
        """An idle listener asks its connection for an answer: one cut without a reset (a
        dropped route, a vanished host) never closes by itself and would hear nothing."""
        with suppress(*FAILURES):  # _turn ended it; next_published reconnects
            async with self._turn(connection):
                await connection.execute("SELECT 1")

    @asynccontextmanager
    async def _turn(self, connection: asyncpg.Connection) -> AsyncIterator[None]:
        """One command at a time, bounded. A connection that fails one is ended: most failures
        mean it is gone anyway, and a new one (with a catch-up) costs less than a listener
        left waiting on a connection that hears nothing."""
        try:
            async with asyncio.timeout(self.timeout), self.turn:
                yield
        except FAILURES:
            connection.terminate()
            raise

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self.received.put_nowait(Event(channel, payload))

    def _terminated(self, connection: Any) -> None:
        self.received.put_nowait(None)


def make_broadcast(redis_url: str | None, database_url: str | None) -> Broadcast:
    """Redis when configured; else Postgres LISTEN/NOTIFY for an external database shared by
    several processes; else in-process for the single embedded install."""
    if redis_url:
        return Broadcast(backend=RedisBackend(redis_url))
    if database_url:
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        return Broadcast(backend=PostgresBackend(dsn))
    return Broadcast("memory://")
