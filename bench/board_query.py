"""Board query: one client reading a whole board (tickets, people, comments) over HTTP.

Sequential requests on one keep-alive connection to the real app served by uvicorn, compared
with hand-written asyncpg queries for the same data and JSON shape.
"""

import json
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench import report
from bench.baseline import measure_baseline
from bench.environment import Environment, run_async
from bench.seed import SeededBoard, seed_board
from bench.server import Server, serving
from bench.statements import DatabaseWork, count_database_work
from bench.stats import summarize

TICKETS = 50
COMMENTS_PER_TICKET = 5
WARMUP = 50
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "500"))  # raise it to profile for longer
GOAL_P99_MS = 60.0  # the goals, stated for a 2-core machine
GOAL_RATIO = 3.0

QUERY = """
query Board($id: ID!, $first: Int!) {
  board(id: $id) {
    tickets(first: $first) {
      edges { node {
        id number title status priority category
        requester { name email }
        assignee { id name }
        comments { id body authorKind createdAt author { id name } }
      } }
    }
  }
}
"""


def run(env: Environment) -> None:
    report.section(
        "board: GraphQL board query over HTTP",
        {
            "board": f"{TICKETS} tickets x {COMMENTS_PER_TICKET} comments, 1 tenant",
            "requests": f"{REQUESTS} sequential after {WARMUP} warm-up, 1 keep-alive client",
            "server": "uvicorn app.web.app:create_app (uvloop, httptools), 1 worker",
        },
    )
    board = run_async(_seed(env))
    headers = {"X-API-Key": board.api_key, "Content-Type": "application/json"}
    body = json.dumps(
        {"query": QUERY, "variables": {"id": board.board_gid, "first": TICKETS}}
    ).encode()
    with serving(env) as server:
        print(f"  {'server pid':<22}{server.pid}")
        http = _drive(server, headers, body, board)
    work = run_async(count_database_work(env, headers, body))
    floor, floor_json = run_async(measure_baseline(env, board, TICKETS, WARMUP, REQUESTS))
    _report(http, floor, work, same=json.loads(floor_json)["data"] == http.last["data"])


@dataclass(frozen=True)
class HttpRun:
    samples: list[int]  # nanoseconds per request
    last: dict[str, Any]  # the last decoded response
    server_cpu_ms: float  # per request, uvicorn process only (PostgreSQL not included)
    client_cpu_ms: float  # per request, this process: httpx plus checking responses


async def _seed(env: Environment) -> SeededBoard:
    services = env.services()
    try:
        return await seed_board(services.db, TICKETS, COMMENTS_PER_TICKET)
    finally:
        await services.db.engine.dispose()


def _drive(server: Server, headers: dict[str, str], body: bytes, board: SeededBoard) -> HttpRun:
    samples: list[int] = []
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
        for _ in range(WARMUP):
            last = _checked(client.post("/graphql", content=body), board)
        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        for _ in range(REQUESTS):
            started = time.perf_counter_ns()
            response = client.post("/graphql", content=body)
            samples.append(time.perf_counter_ns() - started)
            # Checked outside the timed span: decoding is the client's cost, not the server's.
            last = _checked(response, board)
        server_cpu = server.cpu_seconds() - server_cpu
        client_cpu = time.process_time() - client_cpu
    return HttpRun(samples, last, server_cpu * 1000 / REQUESTS, client_cpu * 1000 / REQUESTS)


def _checked(response: httpx.Response, board: SeededBoard) -> dict[str, Any]:
    decoded: dict[str, Any] = response.json()
    if response.status_code != 200 or decoded.get("errors"):
        raise RuntimeError(f"board query failed: {response.status_code} {response.text[:2000]}")
    edges = decoded["data"]["board"]["tickets"]["edges"]
    comments = sum(len(edge["node"]["comments"]) for edge in edges)
    if len(edges) != board.tickets or comments != board.tickets * board.comments_per_ticket:
        raise RuntimeError(f"board query returned {len(edges)} tickets, {comments} comments")
    return decoded


def _report(http: HttpRun, floor: list[int], work: DatabaseWork, same: bool) -> None:
    haven, baseline = summarize(http.samples), summarize(floor)
    report.latency_table({"Haven (HTTP)": haven, "baseline (asyncpg)": baseline})
    print()
    report.figure("Haven p99", f"{haven.p99:.1f} ms", f"<= {GOAL_P99_MS:.0f} ms on 2 cores")
    report.figure(
        "p50 ratio Haven / baseline", f"{haven.p50 / baseline.p50:.1f}x", f"<= {GOAL_RATIO:g}x"
    )
    report.figure(
        "p99 ratio Haven / baseline", f"{haven.p99 / baseline.p99:.1f}x", f"<= {GOAL_RATIO:g}x"
    )
    report.figure("server CPU per request (uvicorn)", f"{http.server_cpu_ms:.1f} ms")
    report.figure("client CPU per request (httpx)", f"{http.client_cpu_ms:.1f} ms")
    report.figure("SQL statements per request", str(len(work.statements)))
    kinds = ", ".join(f"{kind} x{n}" for kind, n in work.by_kind().most_common())
    print(f"    ({kinds})")
    report.figure("transactions per request", str(work.transactions))
    report.figure("pool checkouts per request", str(work.checkouts))
    report.figure("baseline JSON equals Haven's", "yes" if same else "NO")
    print(f"  load at end: {report.load()}")
