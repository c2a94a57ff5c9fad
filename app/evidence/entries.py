"""The chain of custody as the journal writes it: one entry per item a change touched."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.evidence.models import CustodyAction, CustodyEntry, EvidenceItem
from app.journal.change import Change
from app.kit.models import utcnow


@dataclass(frozen=True)
class CustodyLog:
    """`action` on each item (None: a listing that found nothing, on record for the case), by
    the change's actor, with its reason and address, from `user_agent`."""

    case_id: uuid.UUID
    items: Sequence[EvidenceItem | None]
    action: CustodyAction
    user_agent: str | None

    def rows(self, change: Change) -> Iterable[CustodyEntry]:
        for item in self.items:
            yield CustodyEntry(
                tenant_id=change.tenant_id,
                evidence_id=item.id if item else None,
                case_id=self.case_id,
                action=self.action,
                **change.actor.as_columns("actor"),
                reason=change.reason,
                ip=change.ip,
                user_agent=self.user_agent,
                created_at=utcnow(),
            )
