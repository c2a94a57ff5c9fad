"""Reads and writes of intake forms and status links.

Two reads here are deliberately not tenant-scoped, because the public side knows no tenant:
a form is found by its slug (globally unique, it is the public URL) and a status link by the
hash of its token. Each returns the row, and everything after is scoped to that row's tenant.
"""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.intake.models import IntakeForm, StatusLink
from app.kit.repository import TenantRepository
from app.kit.validation import storable
from app.tickets.models import Ticket


class IntakeFormRepository(TenantRepository[IntakeForm]):
    """Intake forms of one tenant."""

    model = IntakeForm

    async def all(self) -> list[IntakeForm]:
        rows = await self.session.scalars(self.readable_statement().order_by(IntakeForm.slug))
        return list(rows)


async def active_form(session: AsyncSession, slug: str) -> IntakeForm | None:
    """The active form published under `slug`, whichever tenant owns it."""
    if not storable(slug):
        return None  # no stored slug holds NUL; the database would refuse to compare it
    return await session.scalar(
        select(IntakeForm).where(IntakeForm.slug == slug, IntakeForm.is_active.is_(True))
    )


async def link_by_hash(session: AsyncSession, token_hash: str) -> StatusLink | None:
    return await session.scalar(select(StatusLink).where(StatusLink.token_hash == token_hash))


async def tenants_with_requester(
    session: AsyncSession, email: str, tenant_id: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Tenants holding tickets requested by `email` (only `tenant_id`, when given). The
    answer never leaves the server: it only decides where a lookup mail is sent from."""
    query = select(Ticket.tenant_id).where(Ticket.requester_email == email).distinct()
    if tenant_id is not None:
        query = query.where(Ticket.tenant_id == tenant_id)
    return list(await session.scalars(query))


async def requester_tickets(
    session: AsyncSession, tenant_id: uuid.UUID, email: str
) -> list[Ticket]:
    """One tenant's tickets requested by `email`, newest first."""
    rows = await session.scalars(
        select(Ticket)
        .where(Ticket.tenant_id == tenant_id, Ticket.requester_email == email)
        .order_by(Ticket.created_at.desc(), Ticket.id)
    )
    return list(rows)


async def requester_ticket(
    session: AsyncSession, tenant_id: uuid.UUID, email: str, number: int
) -> Ticket | None:
    """Ticket `number` of the tenant, if `email` requested it."""
    return await session.scalar(
        select(Ticket).where(
            Ticket.tenant_id == tenant_id,
            Ticket.number == number,
            Ticket.requester_email == email,
        )
    )
