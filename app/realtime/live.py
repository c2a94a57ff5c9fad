"""Turning event rows into what subscribers receive, once per event per process."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.events.models import Event
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow
from app.kit.pagination import decode_cursor, encode_cursor
from app.realtime.payloads import published
from app.realtime.types import RESYNC_REQUIRED, EventActor, LiveEventKind, LiveEventType, Long


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
        **published(payload),
    )
    return LiveEvent(row.tenant_id, row.seq, frozenset(row.topics), row.internal, view)


def resync(after_seq: int, when: datetime | None = None) -> LiveEventType:
    return LiveEventType(
        cursor=event_cursor(after_seq),
        seq=Long(after_seq),
        kind=LiveEventKind(RESYNC_REQUIRED),
        occurred_at=when or utcnow(),
        actor=None,
        changes=cast(JSON, {}),
    )
