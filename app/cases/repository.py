"""Every query on safety cases, always scoped to one tenant, and to what the caller may see:
CSEA cases exist only for those cleared to read them."""

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import (
    CaseTicket,
    CaseTimelineEntry,
    CaseType,
    Referral,
    ReferralStatus,
    SafetyCase,
)
from app.kit.errors import ValidationFailed
from app.kit.pagination import Page, decode_cursor, encode_cursor
from app.tenants.models import Tenant
from app.tickets.models import Ticket

# Referrals that count as made: an authority has (or is about to have) the case.
FILED = (ReferralStatus.SUBMITTED, ReferralStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    case_type: str | None = None


def _cursor_number(cursor: str) -> int:
    values = decode_cursor(cursor)
    if len(values) != 2 or values[0] != "case" or type(values[1]) is not int:
        raise ValidationFailed("Malformed cursor", field="after")
    if not 0 < values[1] < 2**63:
        raise ValidationFailed("Malformed cursor", field="after")
    return int(values[1])


class CaseRepository:
    """Cases of one tenant as one caller sees them."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, *, sees_csea: bool) -> None:
        self.session, self.tenant_id, self.sees_csea = session, tenant_id, sees_csea

    def _visible(self) -> Select[SafetyCase]:
        query = select(SafetyCase).where(SafetyCase.tenant_id == self.tenant_id)
        if not self.sees_csea:
            query = query.where(SafetyCase.case_type != CaseType.CSEA)
        return query

    async def get(self, case_id: uuid.UUID, *, for_update: bool = False) -> SafetyCase | None:
        query = self._visible().where(SafetyCase.id == case_id)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def latest_for_ticket(self, ticket_id: uuid.UUID) -> SafetyCase | None:
        """The case the ticket was most recently linked to, among those the caller sees."""
        return await self.session.scalar(
            self._visible()
            .join(CaseTicket, CaseTicket.case_id == SafetyCase.id)
            .where(CaseTicket.tenant_id == self.tenant_id, CaseTicket.ticket_id == ticket_id)
            .order_by(CaseTicket.created_at.desc(), CaseTicket.id.desc())
            .limit(1)
        )

    async def by_ids(self, case_ids: list[uuid.UUID]) -> list[SafetyCase]:
        return list(await self.session.scalars(self._visible().where(SafetyCase.id.in_(case_ids))))

    def _filtered(self, where: CaseFilter) -> Select[SafetyCase]:
        query = self._visible()
        if where.status is not None:
            query = query.where(SafetyCase.status == where.status)
        if where.case_type is not None:
            query = query.where(SafetyCase.case_type == where.case_type)
        return query

    async def page(self, where: CaseFilter, first: int, after: str | None) -> Page[SafetyCase]:
        """Newest first, by case number."""
        query = self._filtered(where)
        if after is not None:
            query = query.where(SafetyCase.number < _cursor_number(after))
        query = query.order_by(SafetyCase.number.desc()).limit(first + 1)
        rows = list(await self.session.scalars(query))
        items = [(case, encode_cursor(["case", case.number])) for case in rows[:first]]
        return Page(items, has_next_page=len(rows) > first)

    async def count(self, where: CaseFilter) -> int:
        query = self._filtered(where).with_only_columns(func.count(SafetyCase.id))
        return int(await self.session.scalar(query) or 0)

    async def next_number(self) -> int:
        """The next case number. The tenant row stays locked to commit, so two cases created at
        once cannot take the same number (event numbers take the same lock)."""
        await self.session.execute(
            select(Tenant.id).where(Tenant.id == self.tenant_id).with_for_update()
        )
        # Counted over every case, CSEA included, whoever asks: numbers must never repeat.
        highest = await self.session.scalar(
            select(func.max(SafetyCase.number)).where(SafetyCase.tenant_id == self.tenant_id)
        )
        return int(highest or 0) + 1

    async def ticket_links(self, case_ids: list[uuid.UUID]) -> list[CaseTicket]:
        rows = await self.session.scalars(
            select(CaseTicket)
            .where(CaseTicket.tenant_id == self.tenant_id, CaseTicket.case_id.in_(case_ids))
            .order_by(CaseTicket.created_at, CaseTicket.id)
        )
        return list(rows)

    async def linked_tickets(self, case_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, Ticket]]:
        rows = await self.session.execute(
            select(CaseTicket.case_id, Ticket)
            .join(
                Ticket,
                (Ticket.id == CaseTicket.ticket_id) & (Ticket.tenant_id == CaseTicket.tenant_id),
            )
            .where(CaseTicket.tenant_id == self.tenant_id, CaseTicket.case_id.in_(case_ids))
            .order_by(CaseTicket.created_at, CaseTicket.id)
        )
        return [(case_id, ticket) for case_id, ticket in rows]

    async def is_linked(self, case_id: uuid.UUID, ticket_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            select(CaseTicket.id).where(
                CaseTicket.tenant_id == self.tenant_id,
                CaseTicket.case_id == case_id,
                CaseTicket.ticket_id == ticket_id,
            )
        )
        return found is not None

    async def timelines(self, case_ids: list[uuid.UUID]) -> list[CaseTimelineEntry]:
        rows = await self.session.scalars(
            select(CaseTimelineEntry)
            .where(
                CaseTimelineEntry.tenant_id == self.tenant_id,
                CaseTimelineEntry.case_id.in_(case_ids),
            )
            .order_by(CaseTimelineEntry.created_at, CaseTimelineEntry.id)
        )
        return list(rows)

    async def referrals(self, case_ids: list[uuid.UUID]) -> list[Referral]:
        """Each case's referrals, newest last."""
        rows = await self.session.scalars(
            select(Referral)
            .where(Referral.tenant_id == self.tenant_id, Referral.case_id.in_(case_ids))
            .order_by(Referral.created_at, Referral.id)
        )
        return list(rows)

    async def has_filed_referral(self, case_id: uuid.UUID) -> bool:
        """Whether a referral of the case has been submitted (or acknowledged) to an authority."""
        found = await self.session.scalar(
            select(Referral.id)
            .where(
                Referral.tenant_id == self.tenant_id,
                Referral.case_id == case_id,
                Referral.status.in_(FILED),
            )
            .limit(1)
        )
        return found is not None
