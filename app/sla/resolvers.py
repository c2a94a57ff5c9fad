"""The ticket SLA policy: read and changed by administrators."""

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import IsAdmin
from app.kit.actors import Actor
from app.sla import service
from app.sla.types import (
    TicketSlaPolicyType,
    UpdateTicketSlaPolicyInput,
    UpdateTicketSlaPolicyPayload,
)


def _changes(given: UpdateTicketSlaPolicyInput) -> service.PolicyChanges:
    targets = None
    if given.targets is not None:
        targets = {
            t.priority: (t.first_response_minutes, t.resolution_minutes) for t in given.targets
        }
    return service.PolicyChanges(
        targets=targets,
        time_zone=given.time_zone,
        always_open=given.always_open,
        work_days=given.work_days,
        day_start=given.day_start,
        day_end=given.day_end,
        holidays=given.holidays,
    )


@strawberry.type
class SlaQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="The tenant's ticket SLA policy.")
    async def ticket_sla_policy(self, info: Info) -> TicketSlaPolicyType:
        principal = info.context.require()
        async with info.context.services.db.read() as session:
            row = await service.policy_row(session, principal.tenant_id)
        return TicketSlaPolicyType.from_row(row)


@strawberry.type
class SlaMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Change the ticket targets or calendar; applies to new tickets and to "
        "tickets from their next change of priority or status.",
    )
    async def update_ticket_sla_policy(
        self, info: Info, input: UpdateTicketSlaPolicyInput
    ) -> UpdateTicketSlaPolicyPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            row = await service.update_policy(
                work.session, principal.tenant_id, _changes(input), actor=Actor.of(principal)
            )
        return UpdateTicketSlaPolicyPayload(policy=TicketSlaPolicyType.from_row(row))
