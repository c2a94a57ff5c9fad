"""PostgreSQL LISTEN/NOTIFY wake-ups recover by themselves: after the database restarts, or
the listener's connection is cut or falls silent, it reconnects, catches up on what it missed
and wakes subscribers promptly again; startup neither fails nor hangs while the database is
away.

Outages are staged on a PostgreSQL of this module's own, never the suite's shared one. Every
hub's poll is pushed past the end of the test, so only wake-ups can deliver."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from broadcaster import Broadcast
from sqlalchemy.engine import make_url

from app.boards.models import Board
from app.events.service import Committed, board_topic
from app.kit.db import Database
from app.kit.postmaster import PidFile
from app.kit.settings import Settings
from app.realtime.broker import CATCH_UP, CHANNEL, PostgresBackend
from app.realtime.hub import EventHub, Subscription
from app.services import Services
from app.tenants.models import Tenant
from tests.factories import Factory
from tests.pg_relay import Relay
from tests.separate_postgres import SeparatePostgres

POLL_OFF = 600.0
# Well under the hub's usual 5 s poll: arriving sooner shows a wake-up carried it.
PROMPT_SECONDS = 2.0
LOSS = "wake-up listener lost its connection"
UNREACHABLE = "cannot reach PostgreSQL for event wake-ups"
CANNOT_PUBLISH = "cannot publish event wake-ups"
RETRYING = "cannot reconnect yet"


@pytest.fixture(scope="module")
def outage_server() -> Iterator[SeparatePostgres]:
    server = SeparatePostgres()
    yield server
    server.close()


@dataclass
class Side:
    """One process's hub, with every message its broadcaster hands out recorded."""

    hub: EventHub
    heard: list[str] = field(default_factory=list)
    recording: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.hub.start()
        self.recording = asyncio.create_task(self._record())

    async def stop(self) -> None:
        if self.recording is not None:
            self.recording.cancel()
            await asyncio.gather(self.recording, return_exceptions=True)
        if self.hub.started:
            await self.hub.stop()

    async def _record(self) -> None:
        async with self.hub.broadcast.subscribe(CHANNEL) as messages:
            while True:
                self.heard.append((await messages.get()).message)


@dataclass
class Stage:
    """A tenant's board on the outage server, and hubs on it as separate processes have."""

    server: SeparatePostgres
    db: Database
    factory: Factory
    tenant: Tenant
    board: Board
    sides: list[Side] = field(default_factory=list)
    down: bool = False

    def side(self, url: str | None = None, **options: float) -> Side:
        """A hub whose wake-ups go through `url` (the server itself unless told)."""
        address = url or self.server.url.replace("postgresql+asyncpg://", "postgresql://")
        backend = PostgresBackend(address, **options)
        made = Side(EventHub(self.db, Broadcast(backend=backend), poll_seconds=POLL_OFF))
        self.sides.append(made)
        return made

    async def subscribe(self, side: Side) -> Subscription:
        return await side.hub.subscribe(self.tenant.id, board_topic(self.board.id), True)

    async def commit(self, writer: Side, title: str) -> None:
        """A ticket created in the writer's process: its hub announces the commit."""
        self.db.event_listeners.append(writer.hub.announce)
        try:
            await self.factory.ticket(self.tenant, self.board, title=title)
        finally:
            self.db.event_listeners.remove(writer.hub.announce)

    async def stop_postgres(self) -> None:
        # The app's pooled connections would die with the server, and meeting them afterwards
        # is the pool's business (see test_faults), not the wake-ups'.
        await self.db.engine.dispose()
        self.server.stop()
        self.down = True

    def start_postgres(self) -> None:
        self.server.start()
        self.down = False


@pytest.fixture
async def stage(outage_server: SeparatePostgres, tmp_path: Path) -> AsyncIterator[Stage]:
    db = Database(outage_server.url, pool_size=2)
    services = Services.assemble(Settings(env="test", home=tmp_path), db)
    async with httpx.AsyncClient() as unused:  # the factory's API calls are not needed here
        factory = Factory(services, unused)
        tenant = await factory.tenant()
        made = Stage(outage_server, db, factory, tenant, await factory.board(tenant))
        try:
            yield made
        finally:
            if made.down:
                made.start_postgres()
            for side in made.sides:
                await side.stop()
            await db.close()


@pytest.fixture
async def relay(outage_server: SeparatePostgres) -> AsyncIterator[Relay]:
    found = PidFile.read(outage_server.data_dir)
    assert found is not None
    socket = f"{found.socket_dir}/.s.PGSQL.{found.port or 5432}"
    made = Relay(socket, str(make_url(outage_server.url).database))
    await made.start()
    yield made
    await made.close()


async def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def caught_up(*sides: Side) -> Callable[[], bool]:
    return lambda: all(CATCH_UP in side.heard for side in sides)


async def title_arriving(subscription: Subscription, seconds: float) -> str | None:
    event = await asyncio.wait_for(subscription.get(), timeout=seconds)
    return event.view.ticket.title if event.view.ticket is not None else None


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "haven.realtime" and record.levelno >= logging.WARNING
    ]


def mentions(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in record.getMessage() for record in caplog.records)


def warned(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in message for message in warnings(caplog))


async def test_after_a_restart_the_listener_catches_up_and_wake_ups_are_prompt_again(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="haven.realtime")
    writer, reader = stage.side(), stage.side()
    await writer.start()
    await reader.start()
    subscription = await stage.subscribe(reader)
    await stage.commit(writer, "before")
    assert await title_arriving(subscription, PROMPT_SECONDS) == "before"

    await stage.stop_postgres()
    assert await wait_for(lambda: warned(caplog, LOSS) == 2, 10), warnings(caplog)
    # A process still announcing meanwhile is told at once, and says so once.
    for seq in range(1, 4):
        began = time.monotonic()
        await writer.hub.announce([Committed(stage.tenant.id, seq)])
        assert time.monotonic() - began < 0.5
    # Each listener keeps trying, quietly, while the server stays down.
    assert await wait_for(lambda: mentions(caplog, RETRYING) >= 4, 5)
    stage.start_postgres()

    assert await wait_for(caught_up(reader, writer), 15), (reader.heard, writer.heard)
    began = time.monotonic()
    await stage.commit(writer, "after")
    assert await title_arriving(subscription, PROMPT_SECONDS) == "after"
    print(f"\nwake-up after the restart: {(time.monotonic() - began) * 1000:.0f} ms")
    # One warning per listener for the loss, however many attempts reconnecting took, and one
    # from the publisher; nothing else.
    found = warnings(caplog)
    assert (len(found), warned(caplog, LOSS), warned(caplog, CANNOT_PUBLISH)) == (3, 2, 1), found


async def test_startup_with_the_database_down_carries_on_and_wake_ups_flow_once_it_is_back(
    stage: Stage, caplog: pytest.LogCaptureFixture
) -> None:
    await stage.stop_postgres()
    writer, reader = stage.side(), stage.side()
    began = time.monotonic()
    async with asyncio.timeout(10):
        await writer.start()
        await reader.start()
    assert time.monotonic() - began < 3
    assert warned(caplog, UNREACHABLE) == 2, warnings(caplog)

    stage.start_postgres()
    assert await wait_for(caught_up(reader, writer), 15), (reader.heard, writer.heard)
    subscription = await stage.subscribe(reader)
    await stage.commit(writer, "once it is back")
    assert await title_arriving(subscription, PROMPT_SECONDS) == "once it is back"
    assert len(warnings(caplog)) == 2, warnings(caplog)


async def test_startup_against_a_database_that_never_answers_is_bounded(
    stage: Stage, relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    relay.stop_answering()
    reader, writer = stage.side(relay.url, timeout=0.5), stage.side()
    began = time.monotonic()
    async with asyncio.timeout(10):
        await reader.start()
    assert time.monotonic() - began < 2
    assert warned(caplog, UNREACHABLE) == 1, warnings(caplog)

    relay.restore()
    await writer.start()
    assert await wait_for(caught_up(reader), 10), reader.heard
    subscription = await stage.subscribe(reader)
    await stage.commit(writer, "answered at last")
    assert await title_arriving(subscription, PROMPT_SECONDS) == "answered at last"


async def test_what_was_published_while_cut_off_arrives_by_catching_up(
    stage: Stage, relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = stage.side(relay.url, max_backoff=0.2), stage.side()
    await reader.start()
    await writer.start()
    subscription = await stage.subscribe(reader)

    relay.cut()
    assert await wait_for(lambda: warned(caplog, LOSS) == 1, 5), warnings(caplog)
    await stage.commit(writer, "while cut off")  # its NOTIFY reaches no listener of the reader
    with pytest.raises(TimeoutError):
        await title_arriving(subscription, 0.3)

    relay.restore()
    assert await title_arriving(subscription, PROMPT_SECONDS) == "while cut off"
    assert CATCH_UP in reader.heard
    found = warnings(caplog)
    assert len(found) == 1 and LOSS in found[0], found


async def test_a_listener_whose_connection_falls_silent_notices_and_reconnects(
    stage: Stage, relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    reader = stage.side(relay.url, timeout=0.5, idle_check_seconds=0.5)
    writer = stage.side()
    await reader.start()
    await writer.start()
    subscription = await stage.subscribe(reader)

    relay.silence()  # no reset, no error: the connection just stops carrying anything
    await stage.commit(writer, "while silent")
    # Noticed by the idle check (0.5 s, answered within 0.5 s), then caught up.
    assert await title_arriving(subscription, 3) == "while silent"
    assert CATCH_UP in reader.heard
    assert warned(caplog, LOSS) == 1 and len(warnings(caplog)) == 1, warnings(caplog)
