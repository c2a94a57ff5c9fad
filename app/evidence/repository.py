"""Every query on evidence records and their custody log, scoped to one tenant."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import SafetyCase
from app.evidence.models import CustodyAction, CustodyEntry, EvidenceItem
from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.webhooks.models import WebhookReceipt

HOLD_ACTIONS = (CustodyAction.LEGAL_HOLD_ON, CustodyAction.LEGAL_HOLD_OFF)


# Oldest first: the order the evidence was preserved in.
PRESERVED = Ordering(
    "evidence", [Key(EvidenceItem.created_at, datetime), Key(EvidenceItem.id, uuid.UUID)]
)


def _latest_hold(item_id: object) -> Select[bool]:
    """Whether the item's last legal hold change turned the hold on."""
    return (
        select(CustodyEntry.action == CustodyAction.LEGAL_HOLD_ON)
        .where(CustodyEntry.evidence_id == item_id, CustodyEntry.action.in_(HOLD_ACTIONS))
        .order_by(CustodyEntry.created_at.desc(), CustodyEntry.id.desc())
        .limit(1)
    )


class EvidenceRepository(TenantRepository[EvidenceItem]):
    """Evidence items of one tenant and their custody log."""

    model = EvidenceItem

    async def case(self, case_id: uuid.UUID) -> SafetyCase | None:
        """The case, whoever may see it: callers decide what a hidden case means."""
        return await self.session.scalar(self.tenant_rows(SafetyCase, SafetyCase.id == case_id))

    async def receipt(self, event_id: str) -> WebhookReceipt | None:
        return await self.session.get(WebhookReceipt, (self.tenant_id, event_id))

    def _of_case(self, case_id: uuid.UUID) -> Select[Any]:
        return self.readable_statement().where(EvidenceItem.case_id == case_id)

    async def page(self, case_id: uuid.UUID, first: int, after: str | None) -> Page[EvidenceItem]:
        """Oldest first: the order the evidence was preserved in."""
        return await self.paginate(self._of_case(case_id), PRESERVED, first, after)

    async def count(self, case_id: uuid.UUID) -> int:
        return await self.count_rows(self._of_case(case_id))

    async def of_cases(self, case_ids: list[uuid.UUID]) -> list[EvidenceItem]:
        """Every item of these cases, oldest first, for case summaries and details."""
        rows = await self.session.scalars(
            self.readable_statement()
            .where(EvidenceItem.case_id.in_(case_ids))
            .order_by(EvidenceItem.created_at, EvidenceItem.id)
        )
        return list(rows)

    async def holds(self, items: list[EvidenceItem]) -> dict[uuid.UUID, bool]:
        """Each item's legal hold now: its last hold change, or as it was preserved."""
        if not items:
            return {}
        rows = await self.session.execute(
            select(CustodyEntry.evidence_id, CustodyEntry.action)
            .where(
                self.in_tenant(CustodyEntry),
                CustodyEntry.evidence_id.in_([item.id for item in items]),
                CustodyEntry.action.in_(HOLD_ACTIONS),
            )
            .order_by(
                CustodyEntry.evidence_id, CustodyEntry.created_at.desc(), CustodyEntry.id.desc()
            )
            .ext(distinct_on(CustodyEntry.evidence_id))
        )
        changed = {pk: action == CustodyAction.LEGAL_HOLD_ON for pk, action in rows}
        return {item.id: changed.get(item.id, item.legal_hold) for item in items}

    async def custody(self, evidence_id: uuid.UUID) -> list[CustodyEntry]:
        rows = await self.session.scalars(
            self.tenant_rows(CustodyEntry, CustodyEntry.evidence_id == evidence_id).order_by(
                CustodyEntry.created_at, CustodyEntry.id
            )
        )
        return list(rows)


async def held_elsewhere(session: AsyncSession, item: EvidenceItem) -> bool:
    """Whether another item, of any tenant, holds the same stored object under legal hold.

    Deliberately not tenant-scoped: identical bytes share one stored object, so releasing one
    tenant's hold must not release another's. Only a yes or no leaves this function."""
    other = EvidenceItem.__table__.alias("other")
    latest = _latest_hold(other.c.id).scalar_subquery()
    query = select(
        exists().where(
            other.c.storage_key == item.storage_key,
            other.c.id != item.id,
            func.coalesce(latest, other.c.legal_hold),
        )
    )
    return bool(await session.scalar(query))
