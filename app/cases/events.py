"""Events about safety cases, recorded through the journal like every change to a case.

A CSEA case's events must never reach someone who may not see the case, so there are two
queues: `cases` (every case but CSEA) and `cases:all` (every case). A case's own topic is safe
for anyone who passed the visibility check when subscribing, since a case never changes type."""

import uuid
from typing import Any

from app.cases.models import CaseType, SafetyCase
from app.events.models import EventType
from app.journal.change import Live

QUEUE = "cases"
FULL_QUEUE = "cases:all"


def case_topic(case_id: uuid.UUID) -> str:
    return f"case:{case_id}"


def queue_topic(sees_csea: bool) -> str:
    return FULL_QUEUE if sees_csea else QUEUE


def topics(case: SafetyCase) -> list[str]:
    queues = [FULL_QUEUE] if case.case_type == CaseType.CSEA else [QUEUE, FULL_QUEUE]
    return [case_topic(case.id), *queues]


def case_event(type: EventType, case: SafetyCase, changes: dict[str, Any] | None = None) -> Live:
    """The event about a case, carrying the case as stored once the change is written;
    subscribers hear of it once the transaction commits."""
    return Live(type, topics(case), {"changes": changes or {}}, rows={"case": case})
