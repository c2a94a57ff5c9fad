"""The floor for ingestion: the rows one event makes, written by a bare asyncpg loop.

Per event, in its own transaction: the receipt (ON CONFLICT DO NOTHING), the tenant's next
ticket number, the ticket, its timeline entry, the tenant's next event seq and the event, as
Haven writes them. No HTTP, no signature check, no ORM, no batching: one connection, one event
after another, each acknowledged after its commit, as a platform's simplest consumer would."""

import json
import time
import uuid

import asyncpg

from bench.environment import Environment

RECEIPT = """
INSERT INTO webhook_receipts
  (tenant_id, event_id, connector_id, event_type, source, occurred_at, ticket_id, body, received_at)
VALUES ($1, $2, NULL, $3, $4, now(), $5, $6::jsonb, now())
ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING event_id
"""
NEXT_NUMBER = "UPDATE tenants SET ticket_seq = ticket_seq + 1 WHERE id = $1 RETURNING ticket_seq"
BOARD = "SELECT id FROM boards WHERE tenant_id = $1 ORDER BY created_at LIMIT 1"
TICKET = """
INSERT INTO tickets (id, tenant_id, board_id, number, title, description, status, priority,
  category, source, tags, metadata, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 'open', 'medium', $7, 'webhook', $8, $9::jsonb, now(), now())
"""
TIMELINE = """
INSERT INTO ticket_timeline (id, tenant_id, ticket_id, kind, actor_kind, changes, created_at)
VALUES ($1, $2, $3, 'created', 'api_key', '{"source": "webhook"}'::jsonb, now())
"""
NEXT_SEQ = "UPDATE tenants SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq"
EVENT = """
INSERT INTO events (tenant_id, seq, topics, type, payload, actor, internal, created_at)
VALUES ($1, $2, $3, 'ticket_created', $4::jsonb, '{}'::jsonb, false, now())
"""


async def _one(pool: asyncpg.Pool, tenant_id: uuid.UUID, board_id: uuid.UUID, raw: bytes) -> None:
    event = json.loads(raw)
    ticket_id = uuid.uuid4()
    async with pool.acquire() as connection, connection.transaction():
        # A fresh id: the baseline writes every event once, it does not test deduplication.
        event_id = f"base_{event['event_id']}"
        claimed = await connection.fetchval(
            RECEIPT,
            tenant_id,
            event_id,
            event["event_type"],
            event["source"],
            ticket_id,
            raw.decode(),
        )
        if claimed is None:
            return
        number = await connection.fetchval(NEXT_NUMBER, tenant_id)
        meta = json.dumps({"event_id": event_id, "platform": event["source"]})
        await connection.execute(
            TICKET, ticket_id, tenant_id, board_id, number, "User report", "Reported content",
            "harassment", [event["event_type"]], meta,
        )  # fmt: skip
        await connection.execute(TIMELINE, uuid.uuid4(), tenant_id, ticket_id)
        seq = await connection.fetchval(NEXT_SEQ, tenant_id)
        topics = [f"board:{board_id}", f"ticket:{ticket_id}"]
        await connection.execute(EVENT, tenant_id, seq, topics, json.dumps({"id": str(ticket_id)}))


async def measure_baseline(
    env: Environment, tenant_id: uuid.UUID, bodies: list[bytes]
) -> tuple[list[int], float]:
    """Per-event latencies (ns) and the wall time for all of them, one after another."""
    pool = await asyncpg.create_pool(
        host=env.socket_dir, database=env.database, user="postgres", min_size=1, max_size=1
    )
    try:
        async with pool.acquire() as connection:
            board_id = await connection.fetchval(BOARD, tenant_id)
        samples: list[int] = []
        started = time.perf_counter()
        for raw in bodies:
            begun = time.perf_counter_ns()
            await _one(pool, tenant_id, board_id, raw)
            samples.append(time.perf_counter_ns() - begun)
        return samples, time.perf_counter() - started
    finally:
        await pool.close()
