from sqlalchemy import func, select

from app.events.models import Event
from app.kit.repository import TenantScoped
from app.tenants.models import Tenant


class EventRepository(TenantScoped[Event]):
    """Events of one tenant, in `seq` order."""

    model = Event

    async def since(self, seq: int, *, topic: str | None = None, limit: int = 500) -> list[Event]:
        query = self.readable_statement().where(Event.seq > seq)
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
            select(func.min(Event.seq)).where(self.in_tenant(Event), Event.seq > seq)
        )
