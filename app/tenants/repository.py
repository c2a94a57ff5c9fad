import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Tenant


async def get(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.slug == slug))


async def _bump(session: AsyncSession, tenant_id: uuid.UUID, counter: str, count: int) -> range:
    """Add `count` to a counter on the tenant row and return the values taken. The row lock is
    held until the transaction ends, so numbers never repeat and are handed out in commit
    order; taking many at once costs one statement, not one each."""
    column = getattr(Tenant, counter)
    value = await session.scalar(
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values({column: column + count})
        .returning(column)
    )
    assert value is not None, "the tenant of an authenticated caller exists"
    return range(int(value) - count + 1, int(value) + 1)


async def next_ticket_numbers(session: AsyncSession, tenant_id: uuid.UUID, count: int) -> range:
    return await _bump(session, tenant_id, "ticket_seq", count)


async def next_event_seqs(session: AsyncSession, tenant_id: uuid.UUID, count: int) -> range:
    """Events of one tenant commit in `seq` order, so `seq > cursor` never skips a late one."""
    return await _bump(session, tenant_id, "event_seq", count)
