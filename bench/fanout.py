"""Fan-out: live board events delivered to 1,000 WebSocket subscribers of one board.

One uvicorn process (no inline worker). This process opens the subscribers (graphql-transport-ws,
one socket and one `boardEvents` subscription each) and a separate process commits
`updateTicket` status changes over HTTP at a steady rate, stamping each with its request start
and response times. Both use CLOCK_MONOTONIC, so every delivery's latency is measured from the
mutation's response (after commit) and from its request start to receipt by each subscriber.

Memory: the server's RSS before and after 1,000 idle sockets (connection_init acknowledged, no
subscription), then after subscribing each of them; per connection in KiB.
"""

import asyncio
import json
import os
import resource
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import httpx
import psutil
from sqlalchemy import text

from app.kit.ids import to_global_id
from bench import report
from bench.environment import Environment, run_async
from bench.fanout_report import FanOutRun, Rss, Sent, print_report
from bench.seed import SeededBoard, seed_board
from bench.server import Server, serving
from bench.subscribers import (
    COMPRESSION,
    Subscriber,
    close_all,
    event_of,
    has_any,
    open_all,
    subscribe,
)

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "1000"))
RATE = float(os.environ.get("BENCH_FANOUT_RATE", "20"))  # mutations per second
SECONDS = float(os.environ.get("BENCH_FANOUT_SECONDS", "10"))  # raise it to profile for longer
EVENTS = max(2, round(RATE * SECONDS))
SOLO_WARMUP, SOLO = 20, 50  # mutations with no subscriber: the server's cost of the commit itself
WARM_SUBSCRIBERS = 20
MARKERS = 10  # at most this many "is everyone subscribed?" mutations, 5 s apart
SETTLE_SECONDS = 2.0
DRAIN_SECONDS = 120.0  # longest wait for deliveries after the last mutation
STALL_SECONDS = 15.0  # ... or this long without any new delivery
NOFILE = 8192
MAX_IN_FLIGHT = 64  # mutations awaiting their response, at most

MUTATION = """
mutation Move($id: ID!) {
  updateTicket(input: {id: $id, status: IN_PROGRESS}) { ticket { id status } }
}
"""


def run(env: Environment) -> None:
    raised = _raise_open_files()
    tickets_needed = SOLO_WARMUP + SOLO + 2 * MARKERS + EVENTS
    report.section(
        f"fanout: live board events to {SUBSCRIBERS:,} WebSocket subscribers",
        {
            "subscribers": f"{SUBSCRIBERS} sockets, 1 boardEvents subscription each, 1 board",
            "mutations": f"{EVENTS} updateTicket status changes, {RATE:g}/s open loop, HTTP",
            "server": "uvicorn app.web.app:create_app, 1 worker, HAVEN_INLINE_WORKER=false",
            "websocket compression": COMPRESSION,
            "open files limit": raised,
        },
    )
    board, tickets = run_async(_seed(env, tickets_needed))
    with serving(env, {"HAVEN_INLINE_WORKER": "false"}) as server:
        print(f"  {'server pid':<22}{server.pid}")
        run_async(_bench(server, board, tickets))
        _server_errors(env)
    print(f"  load at end: {report.load()}")


def _server_errors(env: Environment) -> None:
    """How many tracebacks the server logged, and the last one's exception line."""
    lines = (env.home / "uvicorn.log").read_text(errors="replace").splitlines()
    tracebacks = sum(1 for line in lines if line.startswith("Traceback"))
    if tracebacks:
        last = next((line for line in reversed(lines) if line and not line[0].isspace()), "")
        print(f"  server log: {tracebacks} tracebacks, last: {last[:300]}")


def _raise_open_files() -> str:
    """Enough descriptors for the sockets here and, inherited, in the server."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return str(soft)


async def _seed(env: Environment, tickets: int) -> tuple[SeededBoard, list[str]]:
    services = env.services()
    try:
        board = await seed_board(services.db, tickets, comments_per_ticket=0)
        async with services.db.read() as session:
            rows = await session.execute(
                text(
                    "SELECT id FROM tickets WHERE tenant_id = :t AND board_id = :b ORDER BY number"
                ),
                {"t": board.tenant_id, "b": board.board_id},
            )
            ids: list[uuid.UUID] = list(rows.scalars())
        return board, [to_global_id("Ticket", id_) for id_ in ids]
    finally:
        await services.db.engine.dispose()


class Tickets:
    """Each mutation moves a ticket that is still OPEN: exactly one STATUS_CHANGED event."""

    def __init__(self, gids: list[str]) -> None:
        self.gids = list(reversed(gids))

    def take(self, n: int = 1) -> list[str]:
        if n > len(self.gids):
            raise RuntimeError("the benchmark seeded too few tickets")
        return [self.gids.pop() for _ in range(n)]


async def _bench(server: Server, board: SeededBoard, gids: list[str]) -> None:
    tickets = Tickets(gids)
    headers = {"X-API-Key": board.api_key, "Content-Type": "application/json"}
    ws_url = server.base_url.replace("http://", "ws://") + "/graphql"
    process = psutil.Process(server.pid)
    context = get_context("spawn")  # never fork a process holding an event loop and sockets
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(pool, os.getpid)  # start it now, not inside the timed run
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
            solo_ms = await _solo(server, http, tickets)
            await _warm_up(ws_url, board, http, tickets)
            rss = Rss()
            await asyncio.sleep(SETTLE_SECONDS)
            rss.before = process.memory_info().rss
            subscribers = await open_all(ws_url, board.api_key, SUBSCRIBERS)
            try:
                await asyncio.sleep(SETTLE_SECONDS)
                rss.plain = process.memory_info().rss
                for n, subscriber in enumerate(subscribers):
                    await subscribe(subscriber, board, f"s{n}")
                ready = await _barrier(http, subscribers, tickets)
                await asyncio.sleep(SETTLE_SECONDS)
                rss.subscribed = process.memory_info().rss
                run = await _fan_out(server, board, subscribers, tickets, pool)
            finally:
                await close_all(subscribers)
    print_report(run, rss, solo_ms, len(subscribers), ready)


async def _solo(server: Server, http: httpx.AsyncClient, tickets: Tickets) -> float:
    """Server CPU ms per mutation with nobody subscribed (the hub has nothing to deliver)."""
    for gid in tickets.take(SOLO_WARMUP):
        await _mutate_async(http, gid)
    cpu = server.cpu_seconds()
    for gid in tickets.take(SOLO):
        await _mutate_async(http, gid)
    return (server.cpu_seconds() - cpu) * 1000 / SOLO


async def _mutate_async(http: httpx.AsyncClient, gid: str) -> None:
    body = {"query": MUTATION, "variables": {"id": gid}}
    response = await http.post("/graphql", json=body, timeout=30)
    if response.status_code != 200 or response.json().get("errors"):
        raise RuntimeError(f"updateTicket failed: {response.status_code} {response.text[:2000]}")


async def _warm_up(
    ws_url: str, board: SeededBoard, http: httpx.AsyncClient, tickets: Tickets
) -> None:
    """A few subscribers and events first, so lazy imports and caches are not counted as
    per-connection memory."""
    subscribers = await open_all(ws_url, board.api_key, WARM_SUBSCRIBERS)
    try:
        for n, subscriber in enumerate(subscribers):
            await subscribe(subscriber, board, f"w{n}")
        await _barrier(http, subscribers, tickets)
    finally:
        await close_all(subscribers)


async def _barrier(http: httpx.AsyncClient, subscribers: list[Subscriber], tickets: Tickets) -> int:
    """Commit marker events until one reaches every subscriber: graphql-transport-ws does not
    acknowledge a subscribe, and only a delivered event proves the subscription is live.
    Returns how many subscribers received a marker."""
    markers: list[str] = []
    ready = 0
    for _ in range(MARKERS):
        (marker,) = tickets.take()
        markers.append(marker)
        await _mutate_async(http, marker)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ready = sum(1 for s in subscribers if has_any(s, markers))
            if ready == len(subscribers):
                return ready
            await asyncio.sleep(0.1)
    return ready


def _mutate_steadily(base_url: str, api_key: str, gids: list[str], rate: float) -> list[Sent]:
    """In its own process: open loop, request i starts at start + i / rate whether or not the
    earlier ones were answered (a slow server must not slow the offered load)."""
    return asyncio.run(_open_loop(base_url, api_key, gids, rate))


async def _open_loop(base_url: str, api_key: str, gids: list[str], rate: float) -> list[Sent]:
    headers = {"X-API-Key": api_key, "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=60, limits=limits
    ) as client:
        await client.get("/health")  # open a connection outside the schedule

        async def one(gid: str) -> Sent:
            body = json.dumps({"query": MUTATION, "variables": {"id": gid}})
            started = time.monotonic_ns()
            try:
                response = await client.post("/graphql", content=body)
            except httpx.HTTPError as error:
                return Sent(gid, started, time.monotonic_ns(), False, repr(error))
            answered = time.monotonic_ns()
            if response.status_code == 200 and not response.json().get("errors"):
                return Sent(gid, started, answered, True)
            return Sent(gid, started, answered, False, f"{response.status_code} {response.text}")

        start = time.monotonic_ns() + 100_000_000
        tasks = []
        for i, gid in enumerate(gids):
            delay = start + int(i * 1e9 / rate) - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            tasks.append(asyncio.create_task(one(gid)))
        return list(await asyncio.gather(*tasks))


async def _fan_out(
    server: Server,
    board: SeededBoard,
    subscribers: list[Subscriber],
    tickets: Tickets,
    pool: ProcessPoolExecutor,
) -> FanOutRun:
    gids = tickets.take(EVENTS)
    wanted = set(gids)
    offsets = [len(s.received) for s in subscribers]
    loop = asyncio.get_running_loop()
    cpu, client_cpu = server.cpu_seconds(), time.process_time()
    sent = await loop.run_in_executor(
        pool, _mutate_steadily, server.base_url, board.api_key, gids, RATE
    )
    expected = sum(1 for s in sent if s.ok) * len(subscribers)
    server_cpu = await _drain(server, subscribers, offsets, expected, cpu)
    client_cpu = time.process_time() - client_cpu
    rss_after = psutil.Process(server.pid).memory_info().rss
    deliveries: dict[str, list[int]] = {gid: [] for gid in gids}
    duplicates = out_of_order = other = 0
    missing: list[int] = []
    last_receipt = 0
    for subscriber, offset in zip(subscribers, offsets, strict=True):
        seen: set[str] = set()
        last_seq = -1
        for received_ns, raw in subscriber.received[offset:]:
            event = event_of(raw)
            gid = event["ticket"]["id"] if event and event.get("ticket") else None
            if event is None or gid not in wanted:
                other += 1
                continue
            if gid in seen:
                duplicates += 1
                continue
            seen.add(gid)
            if int(event["seq"]) <= last_seq:
                out_of_order += 1
            last_seq = int(event["seq"])
            deliveries[gid].append(received_ns)
            last_receipt = max(last_receipt, received_ns)
        missing.append(sum(1 for s in sent if s.ok and s.ticket not in seen))
    return FanOutRun(
        sent=sent,
        deliveries=deliveries,
        duplicates=duplicates,
        out_of_order=out_of_order,
        other_frames=other,
        missing_by_subscriber=missing,
        first_send_ns=min(s.started_ns for s in sent),
        last_receipt_ns=last_receipt,
        server_cpu_s=server_cpu,
        client_cpu_s=client_cpu,
        rss_after=rss_after,
    )


async def _drain(
    server: Server, subscribers: list[Subscriber], offsets: list[int], expected: int, cpu: float
) -> float:
    """Wait (bounded) until the expected frame count arrived; server CPU used since `cpu`."""
    deadline = time.monotonic() + DRAIN_SECONDS
    count, changed = -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - changed < STALL_SECONDS:
        now = sum(len(s.received) - o for s, o in zip(subscribers, offsets, strict=True))
        if now >= expected:
            break
        if now != count:
            count, changed = now, time.monotonic()
        await asyncio.sleep(0.05)
    return server.cpu_seconds() - cpu
