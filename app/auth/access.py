"""Access changes as events: a revoked key, a deactivated or re-roled user, a revoked sign-in.

They are written in the transaction that makes the change, into the same ordered event log that
feeds live subscriptions, so every process's hub reads them in `seq` order: a connection is
suspended before any later event can reach it, and nothing depends on a side channel that
could lose a message. Subscribers never see these events (no subscription topic names them)."""

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from app.events.models import Event, EventType
from app.events.service import Committed
from app.kit.db import COMMITTED_EVENTS
from app.tenants.repository import next_event_seqs

ACCESS_TOPIC = "access"
SubjectKind = Literal["user", "api_key", "session"]


async def access_changed(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: SubjectKind,
    subject_id: uuid.UUID,
    reason: str,
) -> None:
    """Record that `subject`'s access changed; live connections it holds are re-checked."""
    (seq,) = await next_event_seqs(session, tenant_id, 1)
    session.add(
        Event(
            tenant_id=tenant_id,
            seq=seq,
            topics=[ACCESS_TOPIC],
            type=EventType.ACCESS_CHANGED,
            payload={"subject": {"kind": kind, "id": str(subject_id)}, "reason": reason},
            actor={"kind": "system", "id": None, "name": None},
            internal=True,
        )
    )
    session.info.setdefault(COMMITTED_EVENTS, []).append(Committed(tenant_id, seq))


def subject_of(payload: dict[str, object]) -> tuple[str, uuid.UUID] | None:
    """The (kind, id) an access event names, or None for a malformed payload."""
    subject = payload.get("subject")
    if not isinstance(subject, dict):
        return None
    try:
        return str(subject["kind"]), uuid.UUID(str(subject["id"]))
    except (KeyError, ValueError):
        return None
