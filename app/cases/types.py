import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.auth.refs import UserRef
from app.cases import sla
from app.cases.access import sees_csea
from app.cases.models import (
    CaseStatus,
    CaseTimelineEntry,
    CaseType,
    SafetyCase,
)
from app.evidence.resolvers import case_evidence
from app.evidence.types import EvidenceItemType
from app.graphql.actors import ActorKind
from app.graphql.context import Info
from app.graphql.per_viewer import RECORDS_EACH_VIEWER
from app.graphql.relay import Connection, Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.realtime.payloads import publish
from app.referrals.types import ReferralNode
from app.tickets.enums import Priority
from app.tickets.types import TicketType

strawberry.enum(CaseType, name="CaseType", description="What kind of harm a case is about.")
strawberry.enum(CaseStatus, name="CaseStatus", description="Where a case is in its workflow.")


@strawberry.type(name="CaseTimelineEntry", description="One thing that happened to a case.")
class CaseTimelineEntryType:
    type: str = strawberry.field(
        description="case_created, status_changed, assigned, ticket_linked, priority_changed."
    )
    actor_kind: ActorKind = strawberry.field(description="Who did it.")
    actor_name: str | None = strawberry.field(description="Their display name.")
    reason: str | None = strawberry.field(description="Why, as they gave it.")
    details: JSON = strawberry.field(description="What changed.")
    created_at: datetime = strawberry.field(description="When it happened.")

    @classmethod
    def from_row(cls, row: CaseTimelineEntry) -> "CaseTimelineEntryType":
        return from_attributes(cls, row, actor_kind=ActorKind(row.actor_kind))


@strawberry.type(name="SafetyCase", description="A safety investigation (CSEA, threats, ...).")
class SafetyCaseType(Node):
    number: int = strawberry.field(description="Per-tenant case number.")
    case_type: CaseType = strawberry.field(description="What kind of harm it is about.")
    status: CaseStatus = strawberry.field(description="Where it is in the workflow.")
    priority: Priority = strawberry.field(description="How urgent it is.")
    subject: str = strawberry.field(description="Subject line.")
    description: str | None = strawberry.field(description="Full description.")
    sla_deadline: datetime = strawberry.field(description="When it must have been dealt with.")
    created_by: str | None = strawberry.field(description="Who opened it.")
    created_at: datetime = strawberry.field(description="When it was opened.")
    updated_at: datetime = strawberry.field(description="Last change.")
    closed_at: datetime | None = strawberry.field(description="When it was closed, if it is.")
    pk: strawberry.Private[uuid.UUID]
    assignee_pk: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: SafetyCase) -> "SafetyCaseType":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("SafetyCase", row.id)),
            case_type=CaseType(row.case_type),
            status=CaseStatus(row.status),
            priority=Priority(row.priority),
            created_by=row.created_by_name,
            pk=row.id,
            assignee_pk=row.assignee_id,
        )

    @strawberry.field(description="Whether the deadline has passed while the case is open.")
    def sla_breached(self) -> bool:
        return self.status != CaseStatus.CLOSED and utcnow() > self.sla_deadline

    @strawberry.field(description="Seconds to the deadline, negative once breached; null closed.")
    def sla_remaining_seconds(self) -> int | None:
        return sla.remaining_seconds(self.sla_deadline, self.status == CaseStatus.CLOSED)

    @strawberry.field(description="The team member working on it.")
    async def assignee(self, info: Info) -> UserRef | None:
        from app.auth.types import UserType

        if self.assignee_pk is None:
            return None
        user = await info.context.loaders.user.load(self.assignee_pk)
        return UserType.from_row(user) if user else None

    @strawberry.field(description="Tickets linked to the case, in the order they were linked.")
    async def tickets(self, info: Info) -> list[TicketType]:
        rows = await info.context.loaders.case_tickets.load(self.pk)
        return [TicketType.from_row(row) for row in rows]

    @strawberry.field(description="What happened to the case, oldest first.")
    async def timeline(self, info: Info) -> list[CaseTimelineEntryType]:
        rows = await info.context.loaders.case_timeline.load(self.pk)
        return [CaseTimelineEntryType.from_row(row) for row in rows]

    @strawberry.field(
        description="The case's evidence, oldest first. Listing it is recorded in each item's "
        "chain of custody, with the reason given.",
        metadata=RECORDS_EACH_VIEWER,
    )
    async def evidence(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        reason: str | None = None,
    ) -> Connection[EvidenceItemType]:
        return await case_evidence(info, self.pk, first, after, reason)

    @strawberry.field(description="The latest referral of the case, if one was made.")
    async def referral(self, info: Info) -> ReferralNode | None:
        rows = await info.context.loaders.case_referrals.load(self.pk)
        return ReferralNode.from_row(rows[-1]) if rows else None


# Case events carry the case as it was then under "case", delivered as `safetyCase`.
publish("case", "safety_case", SafetyCase, SafetyCaseType.from_row)


def visible_case(info: Info, row: SafetyCase | None) -> SafetyCaseType | None:
    """The case as the caller may see it: a CSEA case reads as missing to those not cleared."""
    if row is None:
        return None
    if row.case_type == CaseType.CSEA and not sees_csea(info.context.require().role):
        return None
    return SafetyCaseType.from_row(row)


@strawberry.input
class CreateCaseInput:
    case_type: CaseType = strawberry.field(description="What kind of harm it is about.")
    priority: Priority = strawberry.field(description="How urgent it is; sets the deadline.")
    subject: str = strawberry.field(description="Subject, 1 to 300 characters.")
    description: str | None = strawberry.field(default=None, description="Full description.")
    ticket_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Tickets to link at once."
    )
    assignee_id: strawberry.ID | None = strawberry.field(default=None, description="Assignee.")


@strawberry.input
class LinkTicketToCaseInput:
    case_id: strawberry.ID = strawberry.field(description="The case.")
    ticket_id: strawberry.ID = strawberry.field(description="The ticket to link to it.")


@strawberry.input
class TransitionCaseInput:
    id: strawberry.ID = strawberry.field(description="The case.")
    status: CaseStatus = strawberry.field(description="The status to move it to.")
    reason: str = strawberry.field(description="Why; recorded on the timeline and audit log.")


@strawberry.input
class AssignCaseInput:
    id: strawberry.ID = strawberry.field(description="The case.")
    assignee_id: strawberry.ID | None = strawberry.field(description="Assignee; null unassigns.")
    reason: str | None = strawberry.field(default=None, description="Why, if worth saying.")


@strawberry.input
class SetCasePriorityInput:
    id: strawberry.ID = strawberry.field(description="The case.")
    priority: Priority = strawberry.field(description="The new priority; moves the deadline.")
    reason: str = strawberry.field(description="Why; recorded on the timeline and audit log.")


@strawberry.input
class SetCaseSlaInput:
    case_type: CaseType = strawberry.field(description="Cases of this type...")
    priority: Priority = strawberry.field(description="...and this priority...")
    minutes: int = strawberry.field(description="...must be dealt with within this many minutes.")


@strawberry.type
class CasePayload:
    case: SafetyCaseType = strawberry.field(description="The case as it is now.")


@strawberry.type
class TransitionCasePayload:
    case: SafetyCaseType = strawberry.field(description="The case as it is now.")
    previous_status: CaseStatus = strawberry.field(description="Where it was before.")


@strawberry.type(description="A tenant's deadline for one type and priority of case.")
class CaseSlaPayload:
    case_type: CaseType = strawberry.field(description="Case type.")
    priority: Priority = strawberry.field(description="Priority.")
    minutes: int = strawberry.field(description="Minutes from opening to the deadline.")
