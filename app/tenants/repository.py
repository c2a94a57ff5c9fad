import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Tenant


async def get(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.slug == slug))


async def _bump(session: AsyncSession, tenant_id: uuid.UUID, counter: str) -> int:
    """Add one to a counter on the tenant row and return it. The row lock is held until the
    transaction ends, so numbers never repeat and are handed out in commit order."""
    column = getattr(Tenant, counter)
    value = await session.scalar(
        update(Tenant).where(Tenant.id == tenant_id).values({column: column + 1}).returning(column)
    )
    assert value is not None, "the tenant of an authenticated caller exists"
    return int(value)


async def next_ticket_number(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return await _bump(session, tenant_id, "ticket_seq")


async def next_event_seq(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Events of one tenant commit in `seq` order, so `seq > cursor` never skips a late one."""
    return await _bump(session, tenant_id, "event_seq")
