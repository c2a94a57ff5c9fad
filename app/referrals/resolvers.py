"""Referral queries and mutations: parse input, call the service, map the result."""

import uuid
from typing import Any, cast

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAuthenticated
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id
from app.referrals import service
from app.referrals.models import ReferralStatus
from app.referrals.states import Step
from app.referrals.types import (
    AcknowledgeReferralInput,
    CreateReferralInput,
    ReferralNode,
    ReferralPayload,
    ReturnReferralToDraftInput,
    SubmitReferralForReviewInput,
    SubmitReferralInput,
    WithdrawReferralInput,
)


async def referral_node(info: Info, pk: uuid.UUID) -> ReferralNode | None:
    """`node(id)` and `referral(id)`: a referral of a case the caller may not see is missing."""
    principal = info.context.require()
    async with info.context.services.db.read() as session:
        found = await service.referrals_of(session, principal).get(pk)
    return ReferralNode.from_row(found[0]) if found else None


async def _move(info: Info, raw_id: strawberry.ID, step: Step, **kwargs: Any) -> ReferralPayload:
    principal, pk = info.context.require(), expect_global_id(raw_id, "Referral")
    async with info.context.services.db.transaction() as work:
        referral = await service.move(work.session, principal, pk, step, **kwargs)
    return ReferralPayload(referral=ReferralNode.from_row(referral))


@strawberry.type
class ReferralQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Referrals, newest first; those of CSEA cases only for those cleared.",
    )
    async def referrals(
        self,
        info: Info,
        status: ReferralStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ReferralNode]:
        principal = info.context.require()
        return await Connection.listed(
            info.context.services.db,
            lambda session: service.referrals_of(session, principal),
            status,
            first,
            after,
            ReferralNode.from_row,
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="One referral by id.")
    async def referral(self, info: Info, id: strawberry.ID) -> ReferralNode | None:
        return await referral_node(info, expect_global_id(id, "Referral"))


@strawberry.type
class ReferralMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Draft a referral of a case, carrying all its preserved evidence "
        "(safeguarding leads and admins; CONFLICT, INSUFFICIENT_EVIDENCE).",
    )
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralPayload:
        principal = info.context.require()
        draft = service.NewReferral(
            case_id=expect_global_id(input.case_id, "SafetyCase"),
            type=input.type,
            urgency=input.urgency,
            summary=input.summary,
            contact_details=cast(dict[str, Any] | None, input.contact_details),
        )
        async with info.context.services.db.transaction() as work:
            referral, _ = await service.create_referral(work.session, principal, draft)
        return ReferralPayload(referral=ReferralNode.from_row(referral))

    @strawberry.mutation(permission_classes=[CanWrite], description="Ask for a review.")
    async def submit_referral_for_review(
        self, info: Info, input: SubmitReferralForReviewInput
    ) -> ReferralPayload:
        return await _move(info, input.id, Step.SUBMIT_FOR_REVIEW)

    @strawberry.mutation(permission_classes=[CanWrite], description="Send back for changes.")
    async def return_referral_to_draft(
        self, info: Info, input: ReturnReferralToDraftInput
    ) -> ReferralPayload:
        return await _move(info, input.id, Step.RETURN_TO_DRAFT, reason=input.reason)

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Submit a reviewed referral; never by the person who drafted it, through "
        "any of their credentials: an API key counts as the person who created it "
        "(SAME_PERSON_REVIEW). "
        "It is frozen from then on (REFERRAL_LOCKED).",
    )
    async def submit_referral(self, info: Info, input: SubmitReferralInput) -> ReferralPayload:
        return await _move(info, input.id, Step.SUBMIT)

    @strawberry.mutation(
        permission_classes=[CanWrite], description="Record the authority's reference, once."
    )
    async def acknowledge_referral(
        self, info: Info, input: AcknowledgeReferralInput
    ) -> ReferralPayload:
        return await _move(
            info, input.id, Step.ACKNOWLEDGE, reference_number=input.reference_number
        )

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Withdraw an unsubmitted referral, with a reason; frees the case.",
    )
    async def withdraw_referral(self, info: Info, input: WithdrawReferralInput) -> ReferralPayload:
        return await _move(info, input.id, Step.WITHDRAW, reason=input.reason)
