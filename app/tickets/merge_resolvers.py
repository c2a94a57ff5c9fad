"""Merging duplicate tickets, and undoing a merge."""

import strawberry

from app.graphql.context import Info
from app.graphql.permissions import CanWrite
from app.kit.ids import expect_global_id
from app.tickets import merging
from app.tickets.types import TicketType


@strawberry.type(description="Both tickets after a merge or its undoing.")
class MergeTicketsPayload:
    source: TicketType = strawberry.field(description="The ticket merged (closed) or restored.")
    target: TicketType = strawberry.field(description="The ticket it was merged into.")


@strawberry.input(description="A duplicate and the ticket it joins.")
class MergeTicketsInput:
    source_id: strawberry.ID = strawberry.field(description="The duplicate; it is closed.")
    target_id: strawberry.ID = strawberry.field(description="The ticket that stays.")


@strawberry.input(description="A merged ticket to restore.")
class UnmergeTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket that was merged.")


@strawberry.type
class MergeMutations:
    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Merge a duplicate into another ticket: its comments and requester move "
        "there, it is closed and its number leads to the target (CONFLICT when either was "
        "merged already). Undo with `unmergeTicket`.",
    )
    async def merge_tickets(self, info: Info, input: MergeTicketsInput) -> MergeTicketsPayload:
        principal = info.context.require()
        source_pk = expect_global_id(input.source_id, "Ticket")
        target_pk = expect_global_id(input.target_id, "Ticket")
        async with info.context.services.db.transaction() as work:
            source, target = await merging.merge_tickets(
                work.session, principal, source_pk, target_pk
            )
        return MergeTicketsPayload(
            source=TicketType.from_row(source), target=TicketType.from_row(target)
        )

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Undo a merge: the moved comments return and the ticket's status before "
        "the merge is restored (CONFLICT when it is not merged).",
    )
    async def unmerge_ticket(self, info: Info, input: UnmergeTicketInput) -> MergeTicketsPayload:
        principal = info.context.require()
        pk = expect_global_id(input.ticket_id, "Ticket")
        async with info.context.services.db.transaction() as work:
            source, target = await merging.unmerge_ticket(work.session, principal, pk)
        return MergeTicketsPayload(
            source=TicketType.from_row(source), target=TicketType.from_row(target)
        )
