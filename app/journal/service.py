"""Recording a change in the caller's transaction, fanned out to every record it belongs in.

The order is fixed: the domain's timeline rows first, then the event (numbered from the
tenant's counter, announced only once the transaction commits), and last the audit chain,
whose head lock must be the last lock the transaction takes so it is held briefly and cannot
deadlock with locks on the caller's rows."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.events.service import add_event
from app.journal.change import Change, Live
from app.kit.snapshots import snapshot
from app.tenants.repository import next_event_seqs


async def record(session: AsyncSession, change: Change) -> None:
    """Write `change` to its timelines, the event log and the audit chain, in that order.

    All its audit entries are one append to the chain (a page of listed evidence is one call,
    not one per item)."""
    session.add_all(row for timeline in change.timeline for row in timeline.rows(change))
    await session.flush()
    if change.live is not None:
        await _event(session, change, change.live)
    if change.subjects:
        happenings = [
            audit.Happening(change.action, subject.type, subject.id, change.details)
            for subject in change.subjects
        ]
        await audit.record_all(
            session, change.tenant_id, change.actor, happenings, ip=change.ip, reason=change.reason
        )


async def _event(session: AsyncSession, change: Change, live: Live) -> None:
    (seq,) = await next_event_seqs(session, change.tenant_id, 1)
    payload = {**{key: snapshot(row) for key, row in live.rows.items()}, **live.payload}
    actor = live.actor or change.actor
    add_event(
        session,
        change.tenant_id,
        seq,
        live.type,
        live.topics,
        payload,
        actor,
        internal=live.internal,
    )
