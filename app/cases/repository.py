"""Every query on safety cases, always scoped to one tenant, and to what the caller may see:
CSEA cases exist only for those cleared to read them."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import CaseTicket, CaseTimelineEntry, CaseType, SafetyCase
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.referrals.models import Referral, ReferralStatus
from app.tenants.models import Tenant
from app.tickets.models import Ticket

# Referrals that count as made: an authority has (or is about to have) the case.
FILED = (ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED)


def not_csea() -> ColumnElement[bool]:
    """Hides CSEA cases from those not cleared to see them (referrals of them too)."""
    return SafetyCase.case_type != CaseType.CSEA


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    case_type: str | None = None


# Newest first, by case number.
NEWEST = Ordering("cases", [Key(SafetyCase.number, int)], descending=True)


class CaseRepository(TenantRepository[SafetyCase]):
    """Cases of one tenant as one caller sees them."""

    model = SafetyCase

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, *, sees_csea: bool) -> None:
        super().__init__(session, tenant_id)
        self.sees_csea = sees_csea

    def visible(self, statement: Select[Any]) -> Select[Any]:
        return statement if self.sees_csea else statement.where(not_csea())

    async def latest_for_ticket(self, ticket_id: uuid.UUID) -> SafetyCase | None:
        """The case the ticket was most recently linked to, among those the caller sees."""
        return await self.session.scalar(
            self.readable_statement()
            .join(CaseTicket, CaseTicket.case_id == SafetyCase.id)
            .where(self.in_tenant(CaseTicket), CaseTicket.ticket_id == ticket_id)
            .order_by(CaseTicket.created_at.desc(), CaseTicket.id.desc())
            .limit(1)
        )

    def _filtered(self, where: CaseFilter) -> Select[Any]:
        query = self.readable_statement()
        if where.status is not None:
            query = query.where(SafetyCase.status == where.status)
        if where.case_type is not None:
            query = query.where(SafetyCase.case_type == where.case_type)
        return query

    async def page(self, where: CaseFilter, first: int, after: str | None) -> Page[SafetyCase]:
        """Newest first, by case number."""
        return await self.paginate(self._filtered(where), NEWEST, first, after)

    async def count(self, where: CaseFilter) -> int:
        return await self.count_rows(self._filtered(where))

    async def next_number(self) -> int:
        """The next case number. The tenant row stays locked to commit, so two cases created at
        once cannot take the same number (event numbers take the same lock)."""
        await self.session.execute(
            select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        )
        # Counted over every case, CSEA included, whoever asks: numbers must never repeat.
        highest = await self.session.scalar(
            select(func.max(SafetyCase.number)).where(self.in_tenant(SafetyCase))
        )
        return int(highest or 0) + 1

    async def ticket_links(self, case_ids: list[uuid.UUID]) -> list[CaseTicket]:
        rows = await self.session.scalars(
            self.tenant_rows(CaseTicket, CaseTicket.case_id.in_(case_ids)).order_by(
                CaseTicket.created_at, CaseTicket.id
            )
        )
        return list(rows)

    async def linked_tickets(self, case_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, Ticket]]:
        rows = await self.session.execute(
            select(CaseTicket.case_id, Ticket)
            .join(
                Ticket,
                (Ticket.id == CaseTicket.ticket_id) & (Ticket.tenant_id == CaseTicket.tenant_id),
            )
            .where(self.in_tenant(CaseTicket), CaseTicket.case_id.in_(case_ids))
            .order_by(CaseTicket.created_at, CaseTicket.id)
        )
        return [(case_id, ticket) for case_id, ticket in rows]

    async def is_linked(self, case_id: uuid.UUID, ticket_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(CaseTicket.id).where(
                self.in_tenant(CaseTicket),
                CaseTicket.case_id == case_id,
                CaseTicket.ticket_id == ticket_id,
            )
        )
        return found is not None

    async def timelines(self, case_ids: list[uuid.UUID]) -> list[CaseTimelineEntry]:
        rows = await self.session.scalars(
            self.tenant_rows(CaseTimelineEntry, CaseTimelineEntry.case_id.in_(case_ids)).order_by(
                CaseTimelineEntry.created_at, CaseTimelineEntry.id
            )
        )
        return list(rows)

    async def referrals(self, case_ids: list[uuid.UUID]) -> list[Referral]:
        """Each case's referrals, newest last."""
        rows = await self.session.scalars(
            self.tenant_rows(Referral, Referral.case_id.in_(case_ids)).order_by(
                Referral.created_at, Referral.id
            )
        )
        return list(rows)

    async def has_filed_referral(self, case_id: uuid.UUID) -> bool:
        """Whether a referral of the case has been submitted (or acknowledged) to an authority."""
        found = await self.session.scalar(
            select(Referral.id)
            .where(
                self.in_tenant(Referral),
                Referral.case_id == case_id,
                Referral.status.in_(FILED),
            )
            .limit(1)
        )
        return found is not None
