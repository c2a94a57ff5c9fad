import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Tenant


async def get(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await session.get(Tenant, tenant_id)


async def by_slug(session: AsyncSession, slug: str) -> Tenant | None:
    return await session.scalar(select(Tenant).where(Tenant.slug == slug))


async def next_ticket_number(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Hand out the tenant's next ticket number; the row lock serialises concurrent creators."""
    number = await session.scalar(
        update(Tenant)
        .where(Tenant.id == tenant_id)
        .values(ticket_seq=Tenant.ticket_seq + 1)
        .returning(Tenant.ticket_seq)
    )
    assert number is not None, "tenant of an authenticated caller must exist"
    return number
