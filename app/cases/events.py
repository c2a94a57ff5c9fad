"""Events about safety cases, written in the caller's transaction like ticket events.

A CSEA case's events must never reach someone who may not see the case, so there are two
queues: `cases` (every case but CSEA) and `cases:all` (every case). A case's own topic is safe
for anyone who passed the visibility check when subscribing, since a case never changes type."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import CaseType, SafetyCase
from app.events.models import Event, EventType
from app.events.service import Committed
from app.kit.actors import Actor
from app.kit.db import COMMITTED_EVENTS
from app.kit.ids import to_global_id
from app.kit.snapshots import snapshot
from app.tenants.repository import next_event_seqs

QUEUE = "cases"
FULL_QUEUE = "cases:all"


def case_topic(case_id: uuid.UUID) -> str:
    return f"case:{case_id}"


def queue_topic(sees_csea: bool) -> str:
    return FULL_QUEUE if sees_csea else QUEUE


def _actor(actor: Actor) -> dict[str, Any]:
    # The same shape ticket events carry, so live clients read both alike.
    kind = {"user": "User", "api_key": "ApiKey"}.get(actor.kind)
    return {
        "kind": actor.kind,
        "id": to_global_id(kind, actor.id) if kind and actor.id else None,
        "name": actor.name,
    }


def topics(case: SafetyCase) -> list[str]:
    queues = [FULL_QUEUE] if case.case_type == CaseType.CSEA else [QUEUE, FULL_QUEUE]
    return [case_topic(case.id), *queues]


async def case_event(
    session: AsyncSession,
    type: EventType,
    case: SafetyCase,
    actor: Actor,
    changes: dict[str, Any] | None = None,
) -> Event:
    """Record an event about a case; subscribers hear of it once the transaction commits."""
    (seq,) = await next_event_seqs(session, case.tenant_id, 1)
    event = Event(
        tenant_id=case.tenant_id,
        seq=seq,
        topics=topics(case),
        type=type,
        payload={"case": snapshot(case), "changes": changes or {}},
        actor=_actor(actor),
        internal=False,
    )
    session.add(event)
    session.info.setdefault(COMMITTED_EVENTS, []).append(Committed(event.tenant_id, event.seq))
    return event
