"""Turning event rows into what subscribers receive, once per event per process."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.cases.models import SafetyCase
from app.cases.types import SafetyCaseType
from app.comments.models import Comment
from app.comments.types import CommentType
from app.events.models import Event
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow
from app.kit.pagination import decode_cursor, encode_cursor
from app.kit.snapshots import restore
from app.realtime.types import EventActor, LiveEventKind, LiveEventType, Long
from app.tickets.models import Ticket
from app.tickets.types import TicketType


@dataclass(frozen=True)
class LiveEvent:
    """An event rendered for delivery; shared, unchanged, by every local subscriber."""

    tenant_id: uuid.UUID
    seq: int
    topics: frozenset[str]
    internal: bool
    view: LiveEventType


def event_cursor(seq: int) -> str:
    return encode_cursor(["event", seq])


def parse_event_cursor(cursor: str) -> int:
    values = decode_cursor(cursor)
    # bool is an int to Python, but `true` is no event number.
    if len(values) != 2 or values[0] != "event" or type(values[1]) is not int:
        raise ValidationFailed("Malformed cursor", field="after")
    if not 0 <= values[1] < 2**63:
        raise ValidationFailed("Malformed cursor", field="after")
    return int(values[1])


def render(row: Event) -> LiveEvent:
    payload = row.payload
    ticket = restore(Ticket, payload["ticket"]) if "ticket" in payload else None
    comment = restore(Comment, payload["comment"]) if "comment" in payload else None
    case = restore(SafetyCase, payload["case"]) if "case" in payload else None
    view = LiveEventType(
        cursor=event_cursor(row.seq),
        seq=Long(row.seq),
        kind=LiveEventKind(row.type),
        occurred_at=row.created_at,
        actor=EventActor(
            kind=row.actor.get("kind", "system"),
            id=strawberry.ID(row.actor["id"]) if row.actor.get("id") else None,
            name=row.actor.get("name"),
        ),
        changes=cast(JSON, payload.get("changes") or {}),
        ticket=TicketType.from_row(ticket) if ticket else None,
        comment=CommentType.from_row(comment) if comment else None,
        safety_case=SafetyCaseType.from_row(case) if case else None,
    )
    return LiveEvent(row.tenant_id, row.seq, frozenset(row.topics), row.internal, view)


def resync(after_seq: int, when: datetime | None = None) -> LiveEventType:
    return LiveEventType(
        cursor=event_cursor(after_seq),
        seq=Long(after_seq),
        kind=LiveEventKind.RESYNC_REQUIRED,
        occurred_at=when or utcnow(),
        actor=None,
        changes=cast(JSON, {}),
        ticket=None,
        comment=None,
    )
