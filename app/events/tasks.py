"""Scheduled upkeep of the event log."""

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import Event


async def prune_events(session: AsyncSession, older_than: datetime) -> int:
    """Delete events created before `older_than`; returns how many were removed.

    The log only has to reach back as far as a reconnecting subscriber may resume from; a
    cursor older than that gets RESYNC_REQUIRED. The append-only trigger forbids UPDATE only,
    so retention may delete."""
    result = await session.execute(delete(Event).where(Event.created_at < older_than))
    return result.rowcount  # type: ignore[attr-defined]
