"""The floor to compare against: hand-written asyncpg queries for the same board and shape.

Two plain statements (tickets with assignees, then their comments with authors) assembled in
Python and serialised with `json.dumps`, on one connection opened up front like a pool's.
There is no HTTP, auth or GraphQL here; that difference is what the ratio shows.
"""

import json
import time
import uuid
from collections import defaultdict
from typing import Any

import asyncpg

from bench.environment import Environment
from bench.seed import SeededBoard

TICKETS = """
SELECT t.id, t.number, t.title, t.status, t.priority, t.category,
       t.requester_name, t.requester_email, u.id AS assignee_id, u.name AS assignee_name
FROM tickets t
LEFT JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.assignee_id
WHERE t.tenant_id = $1 AND t.board_id = $2
ORDER BY t.number DESC
LIMIT $3
"""
COMMENTS = """
SELECT c.ticket_id, c.id, c.body, c.author_kind, c.created_at,
       a.id AS author_id, a.name AS author_name
FROM comments c
LEFT JOIN users a ON a.id = c.author_id
WHERE c.tenant_id = $1 AND c.ticket_id = ANY($2::uuid[])
ORDER BY c.created_at, c.id
"""


def _ref(prefix: str, id_: uuid.UUID | None, name: str | None) -> dict[str, Any] | None:
    return None if id_ is None else {"id": f"{prefix}_{id_}", "name": name}


def _comment(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": f"cmt_{row['id']}",
        "body": row["body"],
        "authorKind": row["author_kind"].upper(),
        "createdAt": row["created_at"].isoformat(),
        "author": _ref("usr", row["author_id"], row["author_name"]),
    }


def _ticket(row: asyncpg.Record, comments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": f"tkt_{row['id']}",
        "number": row["number"],
        "title": row["title"],
        "status": row["status"].upper(),  # enum names are the upper-cased stored values
        "priority": row["priority"].upper(),
        "category": row["category"],
        "requester": {"name": row["requester_name"], "email": row["requester_email"]},
        "assignee": _ref("usr", row["assignee_id"], row["assignee_name"]),
        "comments": comments,
    }


async def board_json(conn: asyncpg.Connection, board: SeededBoard, first: int) -> str:
    tickets = await conn.fetch(TICKETS, board.tenant_id, board.board_id, first)
    rows = await conn.fetch(COMMENTS, board.tenant_id, [row["id"] for row in tickets])
    comments: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        comments[row["ticket_id"]].append(_comment(row))
    edges = [{"node": _ticket(row, comments[row["id"]])} for row in tickets]
    return json.dumps({"data": {"board": {"tickets": {"edges": edges}}}})


async def measure_baseline(
    env: Environment, board: SeededBoard, first: int, warmup: int, iterations: int
) -> tuple[list[int], str]:
    """Per-iteration times in nanoseconds, and the last JSON produced."""
    conn = await asyncpg.connect(host=env.socket_dir, user="postgres", database=env.database)
    body = ""
    try:
        for _ in range(warmup):
            body = await board_json(conn, board, first)
        samples = []
        for _ in range(iterations):
            started = time.perf_counter_ns()
            body = await board_json(conn, board, first)
            samples.append(time.perf_counter_ns() - started)
    finally:
        await conn.close()
    return samples, body
