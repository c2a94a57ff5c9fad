"""What a workflow can wait for: each trigger, the fields of the record it carries, and how
entries of the event log become triggers with their records.

One event may be more than one trigger: a ticket created from a platform's event is both
`ticket.created` and `event.received`; a case moved to `escalated` is both
`case.status_changed` and `case.escalated`. SLA events are matched by name, whoever adds them."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.events.models import Event
from app.tickets.models import Source


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    LIST = "list"
    FLAG = "flag"


TICKET_FIELDS = {
    "title": Kind.TEXT,
    "description": Kind.TEXT,
    "status": Kind.TEXT,
    "priority": Kind.TEXT,
    "category": Kind.TEXT,
    "source": Kind.TEXT,
    "tags": Kind.LIST,
    "requester_email": Kind.TEXT,
    "safeguarding_flag": Kind.FLAG,
    "ai_confidence": Kind.NUMBER,
    "created_at": Kind.DATE,
}
CLASSIFIED_FIELDS = {**TICKET_FIELDS, "risk_indicators": Kind.LIST, "sentiment": Kind.TEXT}
CASE_FIELDS = {
    "case_type": Kind.TEXT,
    "status": Kind.TEXT,
    "priority": Kind.TEXT,
    "subject": Kind.TEXT,
    "created_at": Kind.DATE,
    "sla_deadline": Kind.DATE,
}
FIELDS: dict[str, dict[str, Kind]] = {
    "ticket.created": TICKET_FIELDS,
    "ticket.classified": CLASSIFIED_FIELDS,
    "ticket.updated": {**TICKET_FIELDS, "changed": Kind.LIST},
    "comment.added": {**TICKET_FIELDS, "body": Kind.TEXT, "internal": Kind.FLAG},
    "case.created": CASE_FIELDS,
    "case.escalated": CASE_FIELDS,
    "case.status_changed": {**CASE_FIELDS, "previous_status": Kind.TEXT},
    "sla.warning": {**TICKET_FIELDS, "target": Kind.TEXT},
    "sla.breached": {**TICKET_FIELDS, "target": Kind.TEXT},
    "event.received": {
        **TICKET_FIELDS,
        "event_type": Kind.TEXT,
        "platform": Kind.TEXT,
        "occurred_at": Kind.DATE,
    },
}
TRIGGERS = tuple(FIELDS)
# Triggers whose record is a ticket (steps that act on a ticket need one).
TICKET_TRIGGERS = frozenset(name for name in TRIGGERS if not name.startswith("case."))
CASE_TRIGGERS = frozenset(name for name in TRIGGERS if name.startswith("case."))
TICKET_CHANGES = ("ticket_updated", "status_changed", "assigned", "ticket_resolved")


@dataclass(frozen=True)
class Fired:
    """A trigger an event fired, with the record its conditions are read from and the ids of
    what it is about."""

    trigger: str
    record: dict[str, Any]
    ticket_id: str | None = None
    case_id: str | None = None


def _ticket_record(ticket: dict[str, Any]) -> dict[str, Any]:
    record = {name: ticket.get(name) for name in TICKET_FIELDS}
    record["tags"] = ticket.get("tags") or []
    return record


def _classified(ticket: dict[str, Any]) -> dict[str, Any]:
    """The classification is what the event is about: its category, not only one applied."""
    found = ticket.get("ai_classification") or {}
    record = _ticket_record(ticket)
    record["category"] = found.get("category") or ticket.get("category")
    record["risk_indicators"] = found.get("risk_indicators") or []
    record["sentiment"] = found.get("sentiment")
    return record


def _received(ticket: dict[str, Any]) -> Fired | None:
    meta = ticket.get("meta") or {}
    if ticket.get("source") != Source.WEBHOOK or "event_type" not in meta:
        return None
    record = {
        **_ticket_record(ticket),
        "event_type": meta.get("event_type"),
        "platform": meta.get("platform"),
        "occurred_at": meta.get("occurred_at"),
    }
    return Fired("event.received", record, ticket_id=ticket.get("id"))


def _of_ticket(event: Event) -> list[Fired]:
    payload = event.payload
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        return []
    ticket_id = ticket.get("id")
    if event.type == "ticket_created":
        received = _received(ticket)
        created = Fired("ticket.created", _ticket_record(ticket), ticket_id=ticket_id)
        return [received, created] if received else [created]
    if event.type == "ticket_classified":
        return [Fired("ticket.classified", _classified(ticket), ticket_id=ticket_id)]
    if event.type in TICKET_CHANGES:
        record = {**_ticket_record(ticket), "changed": sorted(payload.get("changes") or {})}
        return [Fired("ticket.updated", record, ticket_id=ticket_id)]
    if event.type == "comment_added":
        comment = payload.get("comment") or {}
        record = {
            **_ticket_record(ticket),
            "body": comment.get("body"),
            "internal": bool(comment.get("is_internal")),
        }
        return [Fired("comment.added", record, ticket_id=ticket_id)]
    if event.type in ("sla_warning", "sla_breached"):
        sla = (payload.get("changes") or {}).get("sla") or {}
        record = {**_ticket_record(ticket), "target": sla.get("target")}
        return [Fired(event.type.replace("_", "."), record, ticket_id=ticket_id)]
    return []


def _of_case(event: Event) -> list[Fired]:
    case = event.payload.get("case")
    if not isinstance(case, dict):
        return []
    record = {name: case.get(name) for name in CASE_FIELDS}
    case_id = case.get("id")
    if event.type == "case_created":
        return [Fired("case.created", record, case_id=case_id)]
    if event.type != "case_status_changed":
        return []
    change = (event.payload.get("changes") or {}).get("status") or {}
    moved = Fired(
        "case.status_changed", {**record, "previous_status": change.get("old")}, case_id=case_id
    )
    if record["status"] == "escalated":
        return [moved, Fired("case.escalated", record, case_id=case_id)]
    return [moved]


def fired_by(event: Event) -> list[Fired]:
    """The triggers `event` fires, most specific first."""
    return _of_ticket(event) + _of_case(event)
