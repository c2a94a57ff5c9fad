"""Every query on referrals, scoped to one tenant and to what the caller may see: a referral of
a CSEA case exists only for those cleared to see the case."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import CaseTicket, SafetyCase
from app.cases.repository import not_csea
from app.evidence.models import EvidenceItem
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantScoped
from app.referrals.models import ACTIVE_REFERRAL, Referral, ReferralEvidence
from app.tickets.models import Ticket
from app.webhooks.models import WebhookReceipt

# Newest first; the id breaks ties between referrals made in the same instant.
NEWEST = Ordering(
    "referrals",
    [Key(Referral.created_at, datetime), Key(Referral.id, uuid.UUID)],
    descending=True,
)


class ReferralRepository(TenantScoped[Referral]):
    """Referrals of one tenant as one caller sees them."""

    model = Referral

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, *, sees_csea: bool) -> None:
        super().__init__(session, tenant_id)
        self.sees_csea = sees_csea

    def visible(self, statement: Select[Any]) -> Select[Any]:
        """A referral is seen with its case: only where the case is."""
        statement = statement.join(
            SafetyCase,
            (SafetyCase.id == Referral.case_id) & (SafetyCase.tenant_id == Referral.tenant_id),
        )
        return statement if self.sees_csea else statement.where(not_csea())

    async def get(
        self, referral_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[Referral, SafetyCase] | None:
        """The referral with its case (both locked, `for_update`)."""
        query = self.readable_statement().add_columns(SafetyCase).where(Referral.id == referral_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def by_ids(self, referral_ids: list[uuid.UUID]) -> list[Referral]:
        query = self.readable_statement().where(Referral.id.in_(referral_ids))
        return list(await self.session.scalars(query))

    async def active_for_case(self, case_id: uuid.UUID) -> Referral | None:
        return await self.session.scalar(
            self.tenant_rows(
                Referral, Referral.case_id == case_id, Referral.status.in_(ACTIVE_REFERRAL)
            )
        )

    def _filtered(self, status: str | None) -> Select[Any]:
        query = self.readable_statement()
        return query if status is None else query.where(Referral.status == status)

    async def page(
        self, status: str | None, first: int, after: str | None, field: str = "after"
    ) -> Page[Referral]:
        """Newest first."""
        return await self.paginate(self._filtered(status), NEWEST, first, after, field=field)

    async def count(self, status: str | None) -> int:
        return await self.count_rows(self._filtered(status))

    async def evidence_counts(self, referral_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(ReferralEvidence.referral_id, func.count())
            .where(self.in_tenant(ReferralEvidence), ReferralEvidence.referral_id.in_(referral_ids))
            .group_by(ReferralEvidence.referral_id)
        )
        return {pk: int(count) for pk, count in rows}

    async def evidence(self, referral_id: uuid.UUID) -> list[EvidenceItem]:
        """The items the referral carries, in the order they were preserved."""
        rows = await self.session.scalars(
            select(EvidenceItem)
            .join(
                ReferralEvidence,
                (ReferralEvidence.evidence_id == EvidenceItem.id)
                & (ReferralEvidence.tenant_id == EvidenceItem.tenant_id),
            )
            .where(self.in_tenant(ReferralEvidence), ReferralEvidence.referral_id == referral_id)
            .order_by(EvidenceItem.created_at, EvidenceItem.id)
        )
        return list(rows)

    async def tickets(self, case_id: uuid.UUID) -> list[Ticket]:
        rows = await self.session.scalars(
            select(Ticket)
            .join(
                CaseTicket,
                (CaseTicket.ticket_id == Ticket.id) & (CaseTicket.tenant_id == Ticket.tenant_id),
            )
            .where(self.in_tenant(CaseTicket), CaseTicket.case_id == case_id)
            .order_by(CaseTicket.created_at, CaseTicket.id)
        )
        return list(rows)

    async def receipts(
        self, ticket_ids: list[uuid.UUID], event_ids: list[str]
    ) -> list[WebhookReceipt]:
        """Platform events that made the case's tickets or were preserved as its evidence."""
        made_or_kept = WebhookReceipt.ticket_id.in_(ticket_ids) | WebhookReceipt.event_id.in_(
            event_ids
        )
        rows = await self.session.scalars(
            self.tenant_rows(WebhookReceipt, made_or_kept).order_by(
                WebhookReceipt.occurred_at, WebhookReceipt.event_id
            )
        )
        return list(rows)
