"""The platform events Haven ingests: the limits of their envelope, what each type must carry,
and the ticket each one becomes when the connector has no mapping of its own."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.tickets.categories import ReportCategory, map_category, priority_of
from app.tickets.models import Priority

EVENT_ID_MAX = 200
EVENT_TYPE_MAX = 60
TIMESTAMP_MAX = 64
SOURCE_MAX = 200


@dataclass(frozen=True)
class EventKind:
    title: str
    priority: Priority
    category: ReportCategory | None = None
    # Payload fields without which the event says nothing a safety team can act on.
    requires: tuple[str, ...] = ()


EVENT_KINDS: dict[str, EventKind] = {
    "user_reported": EventKind("User report", Priority.MEDIUM, requires=("reported_user_id",)),
    "message_flagged": EventKind("Flagged message", Priority.MEDIUM),
    # A match against known child sexual abuse imagery is the most urgent thing Haven sees.
    "csam_hash_match": EventKind(
        "CSAM hash match",
        Priority.CRITICAL,
        ReportCategory.CSEA_CONCERN,
        requires=("hash_value", "hash_algorithm"),
    ),
    "account_suspended": EventKind("Account suspended", Priority.LOW),
    "content_removed": EventKind("Content removed", Priority.LOW),
    "user_blocked": EventKind("User blocked", Priority.LOW),
    "appeal_submitted": EventKind("Appeal submitted", Priority.MEDIUM),
}
EVENT_TYPES = tuple(EVENT_KINDS)


@dataclass(frozen=True)
class InboundEvent:
    event_id: str
    event_type: str
    occurred_at: datetime
    source: str
    payload: dict[str, Any]
    document: dict[str, Any] = field(repr=False)  # the whole event, for field mappings

    @property
    def kind(self) -> EventKind:
        return EVENT_KINDS[self.event_type]


def _content_text(payload: dict[str, Any]) -> str | None:
    content = payload.get("content")
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return str(content["text"])
    return content if isinstance(content, str) else None


def default_fields(event: InboundEvent) -> dict[str, Any]:
    """Ticket fields for an event no mapping covers, from the document's common fields."""
    payload, kind = event.payload, event.kind
    reason = payload.get("reason") if isinstance(payload.get("reason"), str) else None
    title = f"{kind.title}: {reason.replace('_', ' ')}" if reason else kind.title
    if event.event_type == "csam_hash_match":
        title = f"{kind.title} ({payload['hash_algorithm']})"
    lines = [f"{kind.title} from {event.source} at {event.occurred_at.isoformat()}."]
    if reason:
        lines.append(f"Reason: {reason}")
    text = _content_text(payload)
    if text:
        lines.append(f"Content: {text}")
    category = kind.category.value if kind.category else (map_category(reason) if reason else None)
    # A user report whose reason is grooming is as urgent as the category says, not as a
    # routine report: the more urgent of the two wins (Priority lists the most urgent first).
    priority = min(
        kind.priority,
        priority_of(category) if category else kind.priority,
        key=list(Priority).index,
    )
    fields: dict[str, Any] = {
        "title": title,
        "description": "\n".join(lines),
        "priority": priority.value,
        "category": category,
    }
    for target, key in (
        ("reporter_external_id", "reporter_id"),
        ("subject_external_id", "reported_user_id"),
    ):
        if isinstance(payload.get(key), str):
            fields[target] = payload[key]
    return fields
