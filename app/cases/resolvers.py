"""Safety case queries and mutations: parse input, call the service, map the result."""

import uuid

import strawberry

from app.cases import service
from app.cases.models import CaseStatus, CaseType
from app.cases.repository import CaseFilter
from app.cases.types import (
    AssignCaseInput,
    CasePayload,
    CaseSlaPayload,
    CreateCaseInput,
    LinkTicketToCaseInput,
    SafetyCaseType,
    SetCasePriorityInput,
    SetCaseSlaInput,
    TransitionCaseInput,
    TransitionCasePayload,
    visible_case,
)
from app.graphql.context import Info
from app.graphql.permissions import CanWrite, IsAdmin, IsAuthenticated
from app.graphql.relay import Connection
from app.kit.ids import expect_global_id


def _optional_id(value: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    return expect_global_id(value, type_name) if value else None


async def case_node(info: Info, pk: uuid.UUID) -> SafetyCaseType | None:
    """`node(id)` and `case(id)`: a case the caller may not see reads as missing."""
    return visible_case(info, await info.context.loaders.safety_case.load(pk))


@strawberry.type
class CaseQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Safety cases, newest first; CSEA cases only for those cleared to see them.",
    )
    async def cases(
        self,
        info: Info,
        status: CaseStatus | None = None,
        case_type: CaseType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SafetyCaseType]:
        principal = info.context.require()
        return await Connection.listed(
            info.context.services.db,
            lambda session: service.cases_of(session, principal),
            CaseFilter(status=status, case_type=case_type),
            first,
            after,
            SafetyCaseType.from_row,
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="One case by global id.")
    async def case(self, info: Info, id: strawberry.ID) -> SafetyCaseType | None:
        return await case_node(info, expect_global_id(id, "SafetyCase"))


@strawberry.type
class CaseMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Open a safety case; CSEA cases only by safeguarding leads and admins.",
    )
    async def create_case(self, info: Info, input: CreateCaseInput) -> CasePayload:
        principal = info.context.require()
        draft = service.NewCase(
            case_type=input.case_type,
            priority=input.priority,
            subject=input.subject,
            description=input.description,
            ticket_ids=[expect_global_id(value, "Ticket") for value in input.ticket_ids],
            assignee_id=_optional_id(input.assignee_id, "User"),
        )
        async with info.context.services.db.transaction() as work:
            case = await service.create_case(work.session, principal, draft)
        return CasePayload(case=SafetyCaseType.from_row(case))

    @strawberry.mutation(permission_classes=[CanWrite], description="Link a ticket to a case.")
    async def link_ticket_to_case(self, info: Info, input: LinkTicketToCaseInput) -> CasePayload:
        principal = info.context.require()
        case_id = expect_global_id(input.case_id, "SafetyCase")
        ticket_id = expect_global_id(input.ticket_id, "Ticket")
        async with info.context.services.db.transaction() as work:
            case = await service.link_ticket(work.session, principal, case_id, ticket_id)
        return CasePayload(case=SafetyCaseType.from_row(case))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Move a case through its workflow, with a reason; refusals carry a code "
        "(INVALID_TRANSITION, REFERRAL_REQUIRED, CASE_CLOSED, SAME_STATUS, ...).",
    )
    async def transition_case(
        self, info: Info, input: TransitionCaseInput
    ) -> TransitionCasePayload:
        principal = info.context.require()
        case_id = expect_global_id(input.id, "SafetyCase")
        async with info.context.services.db.transaction() as work:
            case, step = await service.transition_case(
                work.session, principal, case_id, input.status, input.reason
            )
        return TransitionCasePayload(
            case=SafetyCaseType.from_row(case), previous_status=step.source
        )

    @strawberry.mutation(permission_classes=[CanWrite], description="Assign or unassign a case.")
    async def assign_case(self, info: Info, input: AssignCaseInput) -> CasePayload:
        principal = info.context.require()
        case_id = expect_global_id(input.id, "SafetyCase")
        assignee_id = _optional_id(input.assignee_id, "User")
        async with info.context.services.db.transaction() as work:
            case = await service.assign_case(
                work.session, principal, case_id, assignee_id, input.reason
            )
        return CasePayload(case=SafetyCaseType.from_row(case))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Change a case's priority, with a reason; its deadline is recomputed.",
    )
    async def set_case_priority(self, info: Info, input: SetCasePriorityInput) -> CasePayload:
        principal = info.context.require()
        case_id = expect_global_id(input.id, "SafetyCase")
        async with info.context.services.db.transaction() as work:
            case = await service.set_priority(
                work.session, principal, case_id, input.priority, input.reason
            )
        return CasePayload(case=SafetyCaseType.from_row(case))

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Set the tenant's deadline for new cases of one type and priority.",
    )
    async def set_case_sla(self, info: Info, input: SetCaseSlaInput) -> CaseSlaPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            minutes = await service.set_sla(
                work.session, principal, input.case_type, input.priority, input.minutes
            )
        return CaseSlaPayload(case_type=input.case_type, priority=input.priority, minutes=minutes)
