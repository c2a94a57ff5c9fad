import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import Event
from app.tenants.models import Tenant


class EventRepository:
    """Events of one tenant, in `seq` order."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def since(self, seq: int, *, topic: str | None = None, limit: int = 500) -> list[Event]:
        query = select(Event).where(Event.tenant_id == self.tenant_id, Event.seq > seq)
        if topic is not None:
            query = query.where(Event.topics.contains([topic]))
        rows = await self.session.scalars(query.order_by(Event.seq).limit(limit))
        return list(rows)

    async def latest_seq(self) -> int:
        """The last event number handed out (committed, since the counter is locked to commit)."""
        seq = await self.session.scalar(select(Tenant.event_seq).where(Tenant.id == self.tenant_id))
        return int(seq or 0)

    async def first_retained_after(self, seq: int) -> int | None:
        return await self.session.scalar(
            select(func.min(Event.seq)).where(Event.tenant_id == self.tenant_id, Event.seq > seq)
        )
