"""Fan-out between processes over a real Redis: two `haven serve` processes share one database
and one Redis; a change made through one must reach subscribers of the other promptly, and
none may be lost or repeated when Redis goes away and comes back."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from broadcaster import Broadcast
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from app.realtime.broker import RedisBackend
from app.realtime.live import event_cursor
from app.services import Services
from tests.factories import Factory, World, gid

# The fixture is imported so pytest finds it here; tests ask for it as `redis_server`.
from tests.redis_server import HOST, RedisServer, free_port, redis_server_fixture  # noqa: F401

STARTUP_SECONDS = 30
PROTOCOL = Subprotocol("graphql-transport-ws")
# The hub also polls every 5 s; arriving well under that shows Redis carried the wake-up.
PROMPT_SECONDS = 2.0

CREATE_TICKET = """mutation($b: ID!, $t: String!) {
  createTicket(input: {boardId: $b, title: $t}) { ticket { id } } }"""
BOARD_EVENTS = """subscription($b: ID!, $after: String) {
  boardEvents(boardId: $b, after: $after) { seq cursor kind ticket { title } } }"""


async def test_redis_backend_delivers_through_broadcaster(redis_server: RedisServer) -> None:
    """Guards against delivery silently stopping, as broadcaster's own backend did with
    redis-py 8: a message published must reach a subscriber."""
    broadcast = Broadcast(backend=RedisBackend(redis_server.url))
    async with broadcast, broadcast.subscribe("haven:test") as subscriber:
        await broadcast.publish("haven:test", "hello")
        event = await asyncio.wait_for(subscriber.get(), timeout=5)
    assert (event.channel, event.message) == ("haven:test", "hello")


# --- two real server processes ---------------------------------------------------------------


@dataclass(frozen=True)
class Servers:
    first: str
    second: str


def _start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    haven = Path(sys.executable).parent / "haven"
    command = [str(haven), "serve", "--no-migrate", "--host", HOST, "--port", str(port)]
    with log.open("wb") as output:
        return subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"haven serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)
    raise RuntimeError(f"haven serve not healthy after {STARTUP_SECONDS}s:\n{log.read_text()}")


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # graceful: closes its pool and Redis connections
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def servers(
    redis_server: RedisServer,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Servers]:
    home = tmp_path_factory.mktemp("haven-serve")
    # Inherited HAVEN_* settings must not point the servers anywhere else.
    env = {key: value for key, value in os.environ.items() if not key.startswith("HAVEN_")}
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_server.url,
        "HAVEN_HOME": str(home),
        "HAVEN_INLINE_WORKER": "false",
        # One key drives hundreds of writes a minute here; limits are tested in test_rate_limits.
        "HAVEN_RATE_LIMIT_ENABLED": "false",
    }
    ports = [free_port(), free_port()]
    logs = [home / f"serve-{port}.log" for port in ports]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port, log in zip(ports, logs, strict=True):
            processes.append(_start_server(port, env, log))
        urls = [f"http://{HOST}:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            _wait_healthy(url, process, log)
        yield Servers(*urls)
    finally:
        for process in processes:
            _stop_server(process)


# --- a subscriber that keeps its cursor ------------------------------------------------------


@dataclass
class BoardListener:
    """A graphql-transport-ws client of `boardEvents` that remembers its last cursor and, when
    its stream ends, its socket drops or it is told to resync, subscribes again from there."""

    base_url: str
    api_key: str
    board_id: str
    cursor: str = event_cursor(0)  # from the start: nothing on the board can be missed
    seqs: list[int] = field(default_factory=list)
    arrivals: dict[str, float] = field(default_factory=dict)  # ticket title -> monotonic time
    subscriptions: int = 0
    resyncs: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    socket: ClientConnection | None = None
    task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)

    async def drop(self) -> None:
        """Close the socket, as a network blip would; the client reconnects and resumes."""
        assert self.socket is not None
        await self.socket.close()

    async def _run(self) -> None:
        url = self.base_url.replace("http://", "ws://") + "/graphql"
        try:
            while True:  # until stopped
                try:
                    async with connect(url, subprotocols=[PROTOCOL]) as self.socket:
                        init = {"type": "connection_init", "payload": {"apiKey": self.api_key}}
                        await self.socket.send(json.dumps(init))
                        assert json.loads(await self.socket.recv())["type"] == "connection_ack"
                        while await self._stream(self.socket):
                            pass
                except (ConnectionClosed, OSError):
                    await asyncio.sleep(0.2)
        finally:
            self.changed.set()  # so `until` notices a client that failed

    async def _stream(self, socket: ClientConnection) -> bool:
        """One subscription; True when it ended and should be renewed on the same socket."""
        self.subscriptions += 1
        operation = str(self.subscriptions)
        variables = {"b": self.board_id, "after": self.cursor}
        payload = {"query": BOARD_EVENTS, "variables": variables}
        await socket.send(json.dumps({"id": operation, "type": "subscribe", "payload": payload}))
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            elif message.get("id") != operation:
                continue  # the tail of a subscription already replaced
            elif message["type"] == "next":
                assert "errors" not in message["payload"], message
                event = message["payload"]["data"]["boardEvents"]
                if event["kind"] == "RESYNC_REQUIRED":
                    # This client holds no state to reload, so it resumes from its own cursor:
                    # the replay then must still deliver each event exactly once.
                    self.resyncs += 1
                    return True
                self.seqs.append(int(event["seq"]))
                self.cursor = event["cursor"]
                if event["ticket"]:
                    self.arrivals[event["ticket"]["title"]] = time.monotonic()
                self.changed.set()
            elif message["type"] == "complete":
                return True
            else:
                raise AssertionError(f"subscription failed: {message}")
        return False  # the socket closed

    async def until(self, done: Callable[[], bool], seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while not done():
                assert self.task is not None
                if self.task.done():
                    self.task.result()  # raises whatever stopped the client
                self.changed.clear()
                await self.changed.wait()

    async def arrival(self, title: str, seconds: float) -> float:
        """When an event about the ticket titled so arrived (monotonic), waiting for one."""
        await self.until(lambda: title in self.arrivals, seconds)
        return self.arrivals[title]


async def gql(
    http: httpx.AsyncClient, world: World, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"X-API-Key": world.api_key},
    )
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return dict(response.json()["data"])


async def create_ticket(http: httpx.AsyncClient, world: World, title: str) -> str:
    data = await gql(http, world, CREATE_TICKET, {"b": gid("brd", world.board.id), "t": title})
    return str(data["createTicket"]["ticket"]["id"])


def toggle_tickets(ids: list[str], resolve: bool, assignee: str) -> tuple[str, int]:
    """One mutation changing several tickets, and how many events it records: resolving with
    a new assignee and priority records 4 per ticket, reopening 3. Many events per request
    keeps 2,000 of them affordable on a small, busy machine."""
    status, priority = ("RESOLVED", "HIGH") if resolve else ("OPEN", "LOW")
    updates = " ".join(
        f'u{index}: updateTicket(input: {{id: "{ticket}", status: {status}, '
        f'priority: {priority}, assigneeId: "{assignee}"}}) {{ ticket {{ id }} }}'
        for index, ticket in enumerate(ids)
    )
    return f"mutation {{ {updates} }}", len(ids) * (4 if resolve else 3)


async def board_seqs(services: Services, world: World) -> list[int]:
    async with services.db.read() as session:
        rows = await session.execute(
            text(
                "SELECT seq FROM events WHERE tenant_id = :tenant AND :topic = ANY(topics)"
                " ORDER BY seq"
            ),
            {"tenant": world.tenant.id, "topic": f"board:{world.board.id}"},
        )
        return [int(seq) for (seq,) in rows]


async def _prompt_latencies(
    listener: BoardListener, http: httpx.AsyncClient, world: World, label: str, count: int
) -> list[float]:
    """Create tickets one after another, each only once the previous one arrived: without
    Redis each would wait for the next 5 s poll, so a run of them cannot all be fast by luck."""
    latencies = []
    for index in range(count):
        title = f"{label}-{index}"
        started = time.monotonic()
        await create_ticket(http, world, title)
        latencies.append(await listener.arrival(title, seconds=15) - started)
    return latencies


def _ms(seconds: list[float]) -> str:
    return ", ".join(f"{value * 1000:.0f} ms" for value in seconds)


@pytest.fixture
async def world(factory: Factory) -> World:
    return await factory.world()


async def test_change_on_one_server_reaches_subscriber_on_the_other(
    servers: Servers, world: World
) -> None:
    listener = BoardListener(servers.second, world.api_key, gid("brd", world.board.id))
    listener.start()
    try:
        async with httpx.AsyncClient(base_url=servers.first, timeout=10) as http:
            # Once this first one arrives (replayed or live) the subscription is surely live.
            await create_ticket(http, world, "warm-up")
            await listener.arrival("warm-up", seconds=15)
            latencies = await _prompt_latencies(listener, http, world, "prompt", count=5)
    finally:
        await listener.stop()
    print(f"\ncross-process latencies: {_ms(latencies)}")
    assert max(latencies) < PROMPT_SECONDS, latencies


TOTAL_EVENTS = 2000
PRODUCERS = 4
TICKETS_PER_PRODUCER = 5
STOP_REDIS_AFTER = 500
OUTAGE_SECONDS = 2.0
AFTER_RESTART = 300  # keep producing this many past the restart, so it is mid-stream


async def test_no_event_lost_or_repeated_across_a_redis_restart(
    servers: Servers,
    world: World,
    factory: Factory,
    services: Services,
    redis_server: RedisServer,
) -> None:
    assignees = [gid("usr", (await factory.user(world.tenant)).id) for _ in range(2)]
    listener = BoardListener(servers.second, world.api_key, gid("brd", world.board.id))
    listener.start()
    made = 0  # events committed so far, as the producers count them
    restarted_at: int | None = None
    part_way = asyncio.Event()
    outage: list[tuple[float, int]] = []  # (seconds in, events made) at Redis' stop and start

    def finished() -> bool:
        return (
            made >= TOTAL_EVENTS
            and restarted_at is not None
            and made >= restarted_at + AFTER_RESTART
        )

    async def produce(http: httpx.AsyncClient, producer: int) -> None:
        nonlocal made
        tickets = []
        for index in range(TICKETS_PER_PRODUCER):
            tickets.append(await create_ticket(http, world, f"stream-{producer}-{index}"))
            made += 1
        resolve = True
        while not finished():
            assignee = assignees[0] if resolve else assignees[1]
            mutation, events = toggle_tickets(tickets, resolve, assignee)
            await gql(http, world, mutation)
            made += events
            resolve = not resolve
            if made >= STOP_REDIS_AFTER:
                part_way.set()

    async def restart_redis() -> None:
        nonlocal restarted_at
        await part_way.wait()
        outage.append((time.monotonic() - started, made))
        await asyncio.to_thread(redis_server.stop)
        await asyncio.sleep(OUTAGE_SECONDS)
        await asyncio.to_thread(redis_server.start)
        outage.append((time.monotonic() - started, made))
        restarted_at = made
        # And the subscriber's socket drops once, so resuming from its cursor is exercised too.
        await listener.drop()

    started = time.monotonic()
    try:
        limits = httpx.Limits(max_connections=PRODUCERS)
        async with httpx.AsyncClient(base_url=servers.first, timeout=30, limits=limits) as http:
            # A task group, so one failing producer stops the others and the restart too.
            async with asyncio.timeout(50), asyncio.TaskGroup() as group:
                group.create_task(restart_redis())
                for number in range(PRODUCERS):
                    group.create_task(produce(http, number))
            produced = time.monotonic() - started
            expected = await board_seqs(services, world)
            # Delivery after the outage may wait for the hub's catch-up or its 5 s poll.
            await listener.until(lambda: listener.seqs[-1:] == expected[-1:], seconds=15)
            delivered = time.monotonic() - started
            received = list(listener.seqs)
            # Redis carries wake-ups again after the restart, not just the poll.
            latencies = await _prompt_latencies(listener, http, world, "after", count=3)
    finally:
        await listener.stop()
        if redis_server.process is None:
            redis_server.start()  # the module's other tests share it

    print(
        f"\n{len(expected)} events; produced in {produced:.1f} s, all delivered after "
        f"{delivered:.1f} s; Redis down from {outage[0][0]:.1f} s to {outage[1][0]:.1f} s "
        f"(events {outage[0][1]} to {outage[1][1]}); "
        f"{listener.subscriptions - 1} resubscriptions ({listener.resyncs} after a resync); "
        f"latency after the restart {_ms(latencies)}"
    )
    assert len(expected) >= TOTAL_EVENTS
    assert len(received) == len(set(received)), "duplicated events"
    assert received == sorted(received), "events out of order"
    assert sorted(set(expected) - set(received)) == [], "lost events"
    assert received == expected
    assert max(latencies) < PROMPT_SECONDS, latencies
