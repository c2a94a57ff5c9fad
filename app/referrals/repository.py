"""Every query on referrals, scoped to one tenant and to what the caller may see: a referral of
a CSEA case exists only for those cleared to see the case."""

import uuid
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import (
    ACTIVE_REFERRAL,
    CaseTicket,
    CaseType,
    Referral,
    ReferralEvidence,
    SafetyCase,
)
from app.custody.models import EvidenceItem
from app.kit.errors import ValidationFailed
from app.kit.pagination import Page, decode_cursor, encode_cursor
from app.tickets.models import Ticket
from app.webhooks.models import WebhookReceipt


def _cursor(cursor: str, field: str) -> tuple[datetime, uuid.UUID]:
    values = decode_cursor(cursor)
    if len(values) != 3 or values[0] != "ref" or not all(isinstance(v, str) for v in values[1:]):
        raise ValidationFailed("Malformed cursor", field=field)
    try:
        moment, pk = datetime.fromisoformat(values[1]), uuid.UUID(values[2])
    except ValueError:
        raise ValidationFailed("Malformed cursor", field=field) from None
    if moment.tzinfo is None:
        raise ValidationFailed("Malformed cursor", field=field)
    return moment, pk


class ReferralRepository:
    """Referrals of one tenant as one caller sees them."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, *, sees_csea: bool) -> None:
        self.session, self.tenant_id, self.sees_csea = session, tenant_id, sees_csea

    def _visible(self) -> Select[Referral, SafetyCase]:
        query = (
            select(Referral, SafetyCase)
            .join(
                SafetyCase,
                (SafetyCase.id == Referral.case_id) & (SafetyCase.tenant_id == Referral.tenant_id),
            )
            .where(Referral.tenant_id == self.tenant_id)
        )
        if not self.sees_csea:
            query = query.where(SafetyCase.case_type != CaseType.CSEA)
        return query

    async def get(
        self, referral_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[Referral, SafetyCase] | None:
        query = self._visible().where(Referral.id == referral_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def by_ids(self, referral_ids: list[uuid.UUID]) -> list[Referral]:
        rows = await self.session.execute(self._visible().where(Referral.id.in_(referral_ids)))
        return [referral for referral, _ in rows]

    async def active_for_case(self, case_id: uuid.UUID) -> Referral | None:
        return await self.session.scalar(
            select(Referral).where(
                Referral.tenant_id == self.tenant_id,
                Referral.case_id == case_id,
                Referral.status.in_(ACTIVE_REFERRAL),
            )
        )

    def _filtered(self, status: str | None) -> Select[Referral, SafetyCase]:
        query = self._visible()
        return query if status is None else query.where(Referral.status == status)

    async def page(
        self, status: str | None, first: int, after: str | None, field: str = "after"
    ) -> Page[Referral]:
        """Newest first."""
        query = self._filtered(status)
        if after is not None:
            moment, pk = _cursor(after, field)
            query = query.where(
                (Referral.created_at < moment)
                | ((Referral.created_at == moment) & (Referral.id < pk))
            )
        query = query.order_by(Referral.created_at.desc(), Referral.id.desc()).limit(first + 1)
        rows = [referral for referral, _ in await self.session.execute(query)]
        items = [
            (row, encode_cursor(["ref", row.created_at.isoformat(), str(row.id)]))
            for row in rows[:first]
        ]
        return Page(items, has_next_page=len(rows) > first)

    async def count(self, status: str | None) -> int:
        query = self._filtered(status).with_only_columns(func.count(Referral.id))
        return int(await self.session.scalar(query) or 0)

    async def evidence_counts(self, referral_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        rows = await self.session.execute(
            select(ReferralEvidence.referral_id, func.count())
            .where(
                ReferralEvidence.tenant_id == self.tenant_id,
                ReferralEvidence.referral_id.in_(referral_ids),
            )
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
            .where(
                ReferralEvidence.tenant_id == self.tenant_id,
                ReferralEvidence.referral_id == referral_id,
            )
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
            .where(CaseTicket.tenant_id == self.tenant_id, CaseTicket.case_id == case_id)
            .order_by(CaseTicket.created_at, CaseTicket.id)
        )
        return list(rows)

    async def receipts(
        self, ticket_ids: list[uuid.UUID], event_ids: list[str]
    ) -> list[WebhookReceipt]:
        """Platform events that made the case's tickets or were preserved as its evidence."""
        rows = await self.session.scalars(
            select(WebhookReceipt)
            .where(
                WebhookReceipt.tenant_id == self.tenant_id,
                WebhookReceipt.ticket_id.in_(ticket_ids) | WebhookReceipt.event_id.in_(event_ids),
            )
            .order_by(WebhookReceipt.occurred_at, WebhookReceipt.event_id)
        )
        return list(rows)
