"""The platform events Haven ingests: their envelope, what each type must carry, and the ticket
each one becomes when the connector has no mapping of its own."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.kit.errors import ValidationFailed
from app.tickets.categories import ReportCategory, map_category, priority_of
from app.tickets.models import Priority

EVENT_ID_MAX = 200
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


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed(f"{key} is required and must be a string", field=key)
    if len(value) > limit:
        raise ValidationFailed(f"{key} must be at most {limit} characters", field=key)
    return value.strip()


def _timestamp(data: dict[str, Any]) -> datetime:
    raw = _text(data, "timestamp", 64)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValidationFailed("timestamp must be ISO 8601", field="timestamp") from None
    if moment.tzinfo is None:
        raise ValidationFailed("timestamp must carry a time zone (Z or +hh:mm)", field="timestamp")
    return moment


def parse_event(data: dict[str, Any]) -> InboundEvent:
    """The checked event, or VALIDATION_ERROR naming the first field that is wrong."""
    event_id = _text(data, "event_id", EVENT_ID_MAX)
    event_type = _text(data, "event_type", 60)
    if event_type not in EVENT_KINDS:
        raise ValidationFailed(
            f"unknown event_type {event_type!r}; one of {', '.join(EVENT_TYPES)}",
            field="event_type",
        )
    occurred_at = _timestamp(data)
    source = _text(data, "source", SOURCE_MAX)
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise ValidationFailed("payload is required and must be an object", field="payload")
    for key in EVENT_KINDS[event_type].requires:
        value = payload.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(
                f"payload.{key} is required for {event_type} events", field=f"payload.{key}"
            )
    return InboundEvent(event_id, event_type, occurred_at, source, payload, data)


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
