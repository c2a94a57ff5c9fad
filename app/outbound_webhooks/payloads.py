"""What a delivery says: `{"event", "timestamp", "data"}` as the API documents show it, with the
ticket in its /api/v1 shape (ids prefixed) and what changed.

A CSEA case's content never leaves Haven: its events carry the case's id and type only."""

import uuid
from datetime import UTC, datetime
from typing import Any

from app.cases.models import CaseType, SafetyCase
from app.comments.models import Comment
from app.events.models import Event
from app.kit.ids import to_global_id
from app.kit.snapshots import restore
from app.tickets.bodies import TicketSummary
from app.tickets.models import Ticket

PREFIXED = {"assignee_id": ("assigned_to", "User")}


def message(name: str, event: Event) -> dict[str, Any]:
    """The body of a standard delivery of `event` under the documented `name`."""
    return {
        "event": name,
        "timestamp": event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data": data_of(event),
    }


def data_of(event: Event) -> dict[str, Any]:
    payload = event.payload
    if "case" in payload:
        return _case_data(payload)
    data: dict[str, Any] = {}
    if "ticket" in payload:
        ticket = restore(Ticket, payload["ticket"])
        data = TicketSummary.of(ticket).model_dump(mode="json")
    changes = _changes(payload.get("changes") or {})
    if changes:
        data["changes"] = changes
    if "comment" in payload:
        data["comment"] = _comment(restore(Comment, payload["comment"]))
    return data


def _changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Old and new values, with ids in their global form under their REST names."""
    shown: dict[str, Any] = {}
    for key, change in changes.items():
        if key in PREFIXED and isinstance(change, dict):
            name, type_name = PREFIXED[key]
            shown[name] = {side: _prefixed(type_name, value) for side, value in change.items()}
        else:
            shown[key] = change
    return shown


def _prefixed(type_name: str, value: Any) -> Any:
    if not isinstance(value, str) or "_" in value:
        return value
    try:
        return to_global_id(type_name, uuid.UUID(value))
    except ValueError:
        return value


def _comment(comment: Comment) -> dict[str, Any]:
    return {
        "id": to_global_id("Comment", comment.id),
        "author_type": comment.author_kind,
        "author_name": comment.author_name,
        "body": comment.body,
        "created_at": _time(comment.created_at),
    }


def _case_data(payload: dict[str, Any]) -> dict[str, Any]:
    case = restore(SafetyCase, payload["case"])
    shown: dict[str, Any] = {"id": to_global_id("SafetyCase", case.id), "case_type": case.case_type}
    if case.case_type == CaseType.CSEA:
        return {"case": shown}
    shown |= {
        "status": case.status,
        "priority": case.priority,
        "subject": case.subject,
        "assigned_to": to_global_id("User", case.assignee_id) if case.assignee_id else None,
        "sla_deadline": _time(case.sla_deadline),
        "created_at": _time(case.created_at),
        "updated_at": _time(case.updated_at),
    }
    data: dict[str, Any] = {"case": shown}
    changes = payload.get("changes") or {}
    if changes:
        data["changes"] = changes
    return data


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
