"""Appending to a tenant's audit chain, and checking that nobody has rewritten it.

The chain's hashed form is documented in `app.audit.hashing`."""

import ipaddress
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.hashing import GENESIS, entry_hash, storable_details, storable_text
from app.audit.models import AuditEntry
from app.audit.repository import AuditRepository
from app.kit.actors import Actor, ActorKind
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow

LABEL_MAX = 80


def _label(value: str, field: str) -> str:
    if not 1 <= len(value) <= LABEL_MAX:
        raise ValidationFailed(f"{field} must be 1 to {LABEL_MAX} characters", field=field)
    return storable_text(value, field) or value


def _ip(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValidationFailed("ip is not an IP address", field="ip") from None


@dataclass(frozen=True)
class Happening:
    """One thing to record: what was done, to what, with which details."""

    action: str
    subject_type: str
    subject_id: str | None
    details: dict[str, Any] | None = None


async def record(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: str | None,
    details: dict[str, Any] | None = None,
    *,
    ip: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Append one entry to the tenant's audit chain in the caller's transaction.

    The tenant's chain head stays locked until that transaction ends, so entries are numbered
    in commit order with no gaps; a rolled-back transaction leaves no trace in the chain. Call
    it after the transaction's other writes: the lock is then held briefly, and always taken
    last, so it cannot deadlock with locks on the caller's rows. `details` holds strings,
    integers, booleans, null, arrays and objects (no fractions)."""
    happened = Happening(action, subject_type, subject_id, details)
    (entry,) = await record_all(session, tenant_id, actor, [happened], ip=ip, reason=reason)
    return entry


async def record_all(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    actor: Actor,
    happenings: list[Happening],
    *,
    ip: str | None = None,
    reason: str | None = None,
) -> list[AuditEntry]:
    """Several entries by one actor, chained in order under one lock of the head and written
    in one flush (a page of listed evidence is one call, not one per item)."""
    entries = []
    for happened in happenings:
        if happened.details is not None and not isinstance(happened.details, dict):
            raise ValidationFailed("details must be a JSON object", field="details")
        entries.append(
            AuditEntry(
                tenant_id=tenant_id,
                occurred_at=utcnow(),
                actor_kind=ActorKind(actor.kind).value,
                actor_id=actor.id,
                actor_name=storable_text(actor.name, "actor"),
                action=_label(happened.action, "action"),
                subject_type=_label(happened.subject_type, "subject_type"),
                subject_id=storable_text(happened.subject_id, "subject_id"),
                details=storable_details(happened.details or {}),
                ip=_ip(ip),
                reason=storable_text(reason, "reason"),
            )
        )
    chain = AuditRepository(session, tenant_id)
    head = await chain.lock_head()
    for entry in entries:
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = entry_hash(entry)
        head.seq, head.hash = entry.seq, entry.hash
    await chain.append(head, entries)
    return entries


class Problem(StrEnum):
    CONTENT_CHANGED = "content_changed"
    LINK_BROKEN = "link_broken"
    ROW_MISSING = "row_missing"
    HEAD_MISMATCH = "head_mismatch"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking a chain: intact, or the first entry where it breaks."""

    checked_rows: int
    head_seq: int
    head_hash: bytes
    first_broken_seq: int | None = None
    problem: Problem | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _fault(entry: AuditEntry, seq: int, prev_hash: bytes) -> tuple[int, Problem, str] | None:
    """What is wrong with `entry` found where entry `seq` should be, after `prev_hash`."""
    if entry.seq != seq:
        return seq, Problem.ROW_MISSING, f"Entry {seq} is missing; the next one is {entry.seq}"
    if entry_hash(entry) != entry.hash:
        return seq, Problem.CONTENT_CHANGED, f"Entry {seq} does not match its stored hash"
    if entry.prev_hash != prev_hash:
        return seq, Problem.LINK_BROKEN, f"Entry {seq} does not link to entry {seq - 1}"
    return None


def _head_fault(head: tuple[int, bytes], last: tuple[int, bytes]) -> tuple[int, str] | None:
    """Where the recorded head and the last entry disagree: the first entry one has and the
    other lacks, or the last entry when both end at the same number."""
    if head == last:
        return None
    if head[0] == last[0]:
        return last[0], f"Entry {last[0]} is not the entry the chain head records"
    first = min(head[0], last[0]) + 1
    return first, f"The chain head records {head[0]} entries but {last[0]} were found"


async def verify_chain(session: AsyncSession, tenant_id: uuid.UUID) -> ChainReport:
    """Walk the tenant's chain in `seq` order, a page at a time, recomputing every hash and
    link, then compare its end with the recorded head. Run it in a REPEATABLE READ
    transaction while others may write, so the walk and the head are read from one snapshot."""
    chain = AuditRepository(session, tenant_id)
    found = await chain.head()
    head = (found.seq, found.hash) if found is not None else (0, GENESIS)
    checked, prev_hash = 0, GENESIS
    async for entry in chain.walk():
        fault = _fault(entry, checked + 1, prev_hash)
        if fault is not None:
            seq, problem, message = fault
            return ChainReport(checked, *head, seq, problem, message)
        checked, prev_hash = checked + 1, entry.hash
    mismatch = _head_fault(head, (checked, prev_hash))
    if mismatch is not None:
        return ChainReport(checked, *head, mismatch[0], Problem.HEAD_MISMATCH, mismatch[1])
    return ChainReport(checked, *head)
