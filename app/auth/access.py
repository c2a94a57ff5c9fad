"""Access changes as events: a revoked key, a deactivated or re-roled user, a revoked sign-in.

They are recorded through the journal in the transaction that makes the change, into the same
ordered event log that feeds live subscriptions, so every process's hub reads them in `seq`
order: a connection is suspended before any later event can reach it, and nothing depends on a
side channel that could lose a message. Subscribers never see these events (no subscription
topic names them)."""

import uuid
from typing import Literal

from app.events.models import EventType
from app.journal.change import Live
from app.kit.actors import Actor, ActorKind

ACCESS_TOPIC = "access"
SubjectKind = Literal["user", "api_key", "session"]
# The hubs act on an access event, whoever caused it; the audit chain says who that was.
HUBS = Actor(ActorKind.SYSTEM)


def access_changed(kind: SubjectKind, subject_id: uuid.UUID, reason: str) -> Live:
    """The event saying `subject`'s access changed; live connections it holds are re-checked."""
    payload = {"subject": {"kind": kind, "id": str(subject_id)}, "reason": reason}
    return Live(EventType.ACCESS_CHANGED, [ACCESS_TOPIC], payload, internal=True, actor=HUBS)


def subject_of(payload: dict[str, object]) -> tuple[str, uuid.UUID] | None:
    """The (kind, id) an access event names, or None for a malformed payload."""
    subject = payload.get("subject")
    if not isinstance(subject, dict):
        return None
    try:
        return str(subject["kind"]), uuid.UUID(str(subject["id"]))
    except (KeyError, ValueError):
        return None
