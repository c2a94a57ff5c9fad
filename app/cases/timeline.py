"""A case's timeline as the journal writes it: cases, referrals and evidence all note their
changes on the case they belong to."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.cases.models import CaseTimelineEntry, SafetyCase
from app.journal.change import Change


@dataclass(frozen=True)
class CaseNote:
    """An entry of `type` on the case's timeline, by the change's actor with its reason;
    `details` are the change's own unless given."""

    case: SafetyCase
    type: str
    details: dict[str, Any] | None = None

    def rows(self, change: Change) -> Iterable[CaseTimelineEntry]:
        details = self.details if self.details is not None else change.details
        yield CaseTimelineEntry(
            tenant_id=self.case.tenant_id,
            case_id=self.case.id,
            type=self.type,
            **change.actor.as_columns("actor"),
            reason=change.reason,
            details=details,
        )
