from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.audit.models import AuditEntry
from app.audit.service import ChainReport, Problem
from app.graphql.actors import ActorKind
from app.kit.actors import actor_global_id
from app.kit.attributes import from_attributes
from app.realtime.types import Long

strawberry.enum(
    Problem,
    name="AuditChainProblem",
    description="How a chain is broken: an entry's content no longer matches its hash, an "
    "entry does not link to the one before, an entry is missing, or the recorded head is not "
    "the last entry (entries removed from, or added to, the end).",
)


@strawberry.type(
    name="AuditEntry",
    description="One entry of the tenant's append-only audit chain. Its `hash` is SHA-256 over "
    "the bytes of `prevHash` followed by the entry's canonical JSON form (every field but "
    "`hash`, keys sorted, no whitespace, UTF-8).",
)
class AuditEntryType:
    seq: Long = strawberry.field(description="Position in the chain: 1, 2, 3, … without gaps.")
    occurred_at: datetime = strawberry.field(description="When it was recorded (UTC, µs).")
    actor_kind: ActorKind = strawberry.field(description="Who acted.")
    actor_id: strawberry.ID | None = strawberry.field(description="Their user or API key id.")
    actor_name: str | None = strawberry.field(description="Their display name then.")
    action: str = strawberry.field(description="What was done: `evidence.viewed`, …")
    subject_type: str = strawberry.field(description="The kind of thing it was done to.")
    subject_id: str | None = strawberry.field(description="Which one.")
    details: JSON = strawberry.field(description="Facts recorded with the action.")
    ip: str | None = strawberry.field(description="The client address, when known.")
    reason: str | None = strawberry.field(description="The reason given, when one was.")
    prev_hash: str = strawberry.field(description="Hash of the entry before (hex).")
    hash: str = strawberry.field(description="Hash of this entry (hex).")

    @classmethod
    def from_row(cls, row: AuditEntry) -> "AuditEntryType":
        return from_attributes(
            cls,
            row,
            seq=Long(row.seq),
            actor_kind=ActorKind(row.actor_kind),
            actor_id=actor_global_id(row.actor_kind, row.actor_id),
            prev_hash=row.prev_hash.hex(),
            hash=row.hash.hex(),
        )


@strawberry.type(
    name="AuditChainReport",
    description="The outcome of recomputing the tenant's audit chain from its first entry.",
)
class AuditChainReportType:
    ok: bool = strawberry.field(description="True when every entry and the head check out.")
    checked_rows: Long = strawberry.field(description="Entries found intact before any break.")
    head_seq: Long = strawberry.field(description="Number of entries the chain head records.")
    head_hash: str = strawberry.field(description="Hash the chain head records (hex).")
    first_broken_seq: Long | None = strawberry.field(description="First entry found wrong.")
    problem: Problem | None = strawberry.field(description="What is wrong with it.")
    message: str | None = strawberry.field(description="The problem, in words.")

    @classmethod
    def from_report(cls, report: ChainReport) -> "AuditChainReportType":
        broken = report.first_broken_seq
        return from_attributes(
            cls,
            report,
            checked_rows=Long(report.checked_rows),
            head_seq=Long(report.head_seq),
            head_hash=report.head_hash.hex(),
            first_broken_seq=Long(broken) if broken is not None else None,
        )
