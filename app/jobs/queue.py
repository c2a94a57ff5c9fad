"""Enqueueing a job in the caller's transaction: the job exists exactly when the change that
needs it commits, so a crash can never leave the change without its job (or a job without its
change). pgqueuer's insert trigger wakes the workers at commit."""

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_ENQUEUE = text(
    "INSERT INTO pgqueuer (priority, entrypoint, payload, status, execute_after) "
    "VALUES (:priority, :entrypoint, :payload, 'queued', now() + :after)"
)


async def enqueue(
    session: AsyncSession,
    entrypoint: str,
    payload: dict[str, Any],
    *,
    priority: int = 0,
    after: timedelta = timedelta(0),
) -> None:
    """Queue `entrypoint` with `payload`, to run once the transaction commits (or `after` it)."""
    await session.execute(
        _ENQUEUE,
        {
            "priority": priority,
            "entrypoint": entrypoint,
            "payload": json.dumps(payload).encode(),
            "after": after,
        },
    )


async def enqueue_each(
    session: AsyncSession, entrypoint: str, payloads: list[dict[str, Any]]
) -> None:
    """Queue `entrypoint` once per payload, in one statement (a batch of new tickets)."""
    if payloads:
        await session.execute(
            _ENQUEUE,
            [
                {
                    "priority": 0,
                    "entrypoint": entrypoint,
                    "payload": json.dumps(payload).encode(),
                    "after": timedelta(0),
                }
                for payload in payloads
            ],
        )


def payload_of(raw: bytes | None) -> dict[str, Any]:
    found = json.loads(raw or b"{}")
    return found if isinstance(found, dict) else {}
