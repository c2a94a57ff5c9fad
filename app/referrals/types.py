"""GraphQL types of referrals: the referral, its inputs and payload."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from app.graphql.context import Info
from app.graphql.per_viewer import RECORDS_EACH_VIEWER
from app.graphql.relay import Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.referrals.models import Referral, ReferralStatus, ReferralType, ReferralUrgency

if TYPE_CHECKING:
    from app.cases.types import SafetyCaseType

strawberry.enum(ReferralType, name="ReferralType", description="Who a referral goes to.")
strawberry.enum(ReferralUrgency, name="ReferralUrgency", description="How urgent a referral is.")
strawberry.enum(ReferralStatus, name="ReferralStatus", description="Where a referral is.")

CaseRef = Annotated["SafetyCaseType", strawberry.lazy("app.cases.types")]


@strawberry.type(name="Referral", description="A case reported to an outside authority.")
class ReferralNode(Node):
    type: ReferralType = strawberry.field(description="Who it goes to.")
    urgency: ReferralUrgency = strawberry.field(description="How urgent it is.")
    status: ReferralStatus = strawberry.field(description="Where it is in its workflow.")
    summary: str | None = strawberry.field(description="What the authority is told, in brief.")
    contact_details: JSON | None = strawberry.field(
        description="Whom the authority should contact, when not the submitting person."
    )
    created_by: str | None = strawberry.field(description="Who drafted it.")
    submitted_at: datetime | None = strawberry.field(description="When it was submitted.")
    submitted_by: str | None = strawberry.field(description="Who reviewed and submitted it.")
    reference_number: str | None = strawberry.field(description="The authority's reference.")
    acknowledged_at: datetime | None = strawberry.field(description="When it was acknowledged.")
    withdrawn_at: datetime | None = strawberry.field(description="When it was withdrawn.")
    created_at: datetime = strawberry.field(description="When it was drafted.")
    pk: strawberry.Private[uuid.UUID]
    case_pk: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Referral) -> "ReferralNode":
        return from_attributes(
            cls,
            row,
            id=strawberry.ID(to_global_id("Referral", row.id)),
            type=ReferralType(row.type),
            urgency=ReferralUrgency(row.urgency),
            status=ReferralStatus(row.status),
            created_by=row.created_by_name,
            submitted_by=row.submitted_by_name,
            pk=row.id,
            case_pk=row.case_id,
        )

    @strawberry.field(description="The case it refers.")
    async def case(self, info: Info) -> CaseRef | None:
        from app.cases.types import visible_case

        return visible_case(info, await info.context.loaders.safety_case.load(self.case_pk))

    @strawberry.field(description="How many evidence items it carries.")
    async def evidence_count(self, info: Info) -> int:
        count: int = await info.context.loaders.referral_evidence_counts.load(self.pk)
        return count

    @strawberry.field(
        description="The document to submit to the authority (JSON, keys sorted): the NCA "
        "report fields and the evidence manifest. Safeguarding leads and administrators only; "
        "each export is recorded in the audit log.",
        metadata=RECORDS_EACH_VIEWER,
    )
    async def export_document(self, info: Info) -> JSON:
        from app.referrals.service import export_document

        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            document: dict[str, Any] = await export_document(work.session, principal, self.pk)
        return cast(JSON, document)


@strawberry.input
class CreateReferralInput:
    case_id: strawberry.ID = strawberry.field(description="The case to refer.")
    type: ReferralType = strawberry.field(description="Who it goes to.")
    urgency: ReferralUrgency = strawberry.field(description="How urgent it is.")
    summary: str = strawberry.field(description="What the authority is told, in brief.")
    contact_details: JSON | None = strawberry.field(
        default=None, description="Whom the authority should contact (a JSON object)."
    )


@strawberry.input
class SubmitReferralForReviewInput:
    id: strawberry.ID = strawberry.field(description="The referral.")


@strawberry.input
class ReturnReferralToDraftInput:
    id: strawberry.ID = strawberry.field(description="The referral.")
    reason: str = strawberry.field(description="What needs changing.")


@strawberry.input
class SubmitReferralInput:
    id: strawberry.ID = strawberry.field(description="The referral; not by its author.")


@strawberry.input
class AcknowledgeReferralInput:
    id: strawberry.ID = strawberry.field(description="The referral.")
    reference_number: str = strawberry.field(
        description="The authority's reference, 1 to 64 printable characters."
    )


@strawberry.input
class WithdrawReferralInput:
    id: strawberry.ID = strawberry.field(description="The referral.")
    reason: str = strawberry.field(description="Why it will not be sent.")


@strawberry.type
class ReferralPayload:
    referral: ReferralNode = strawberry.field(description="The referral as it is now.")
