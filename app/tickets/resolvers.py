"""Ticket queries and mutations: parse input, call the service, map the result."""

import uuid
from typing import Annotated, Any

import strawberry

from app.boards.repository import BoardRepository
from app.graphql.context import Info
from app.graphql.lookahead import selected_paths
from app.graphql.permissions import CanWrite, IsAdmin, IsAuthenticated
from app.graphql.relay import Connection
from app.kit import validation
from app.kit.actors import Actor
from app.kit.errors import NotFound, ValidationFailed
from app.kit.ids import expect_global_id, to_global_id
from app.kit.pagination import page_size
from app.tickets import service
from app.tickets.enums import Priority, TicketStatus
from app.tickets.prefetch import prefetch
from app.tickets.repository import TicketFilter, TicketOrder, TicketRepository
from app.tickets.types import (
    CreateTicketInput,
    DeleteTicketInput,
    DeleteTicketPayload,
    TicketPayload,
    TicketType,
    UpdateTicketInput,
)

SEARCH_MAX = 200


def optional_id(value: strawberry.ID | None, type_name: str) -> uuid.UUID | None:
    return expect_global_id(value, type_name) if value else None


async def ticket_connection(
    info: Info,
    board_pk: Any,
    status: TicketStatus | None,
    priority: Priority | None,
    category: str | None,
    assignee_id: strawberry.ID | None,
    search: str | None,
    order_by: TicketOrder,
    first: int | None,
    after: str | None,
) -> Connection[TicketType]:
    principal = info.context.require()
    tenant_id = principal.tenant_id
    where = TicketFilter(
        board_id=board_pk,
        status=status,
        priority=priority,
        category=category,
        assignee_id=optional_id(assignee_id, "User"),
        search=validation.name(search, "search", SEARCH_MAX),
    )
    size, db = page_size(first), info.context.services.db
    wanted = {path.removeprefix("edges.node.") for path in selected_paths(info)}
    async with db.read() as session:
        page = await TicketRepository(session, tenant_id).page(where, order_by, size, after)
        rows = [ticket for ticket, _ in page.items]
        prefetched = await prefetch(
            session, tenant_id, rows, wanted, include_internal=principal.sees_internal
        )

    async def counter() -> int:
        async with db.read() as session:
            return await TicketRepository(session, tenant_id).count(where)

    return Connection.of(page, lambda row: TicketType.from_row(row, prefetched), counter)


@strawberry.type
class TicketQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated], description="Tickets, filtered and paged."
    )
    async def tickets(
        self,
        info: Info,
        board_id: strawberry.ID | None = None,
        status: TicketStatus | None = None,
        priority: Priority | None = None,
        category: str | None = None,
        assignee_id: strawberry.ID | None = None,
        search: Annotated[
            str | None,
            strawberry.argument(description="Words in title or description, or a ticket number."),
        ] = None,
        order_by: TicketOrder = TicketOrder.NEWEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TicketType]:
        board_pk = optional_id(board_id, "Board")
        if board_pk is not None:
            async with info.context.services.db.read() as session:
                tenant_id = info.context.require().tenant_id
                if await BoardRepository(session, tenant_id).get(board_pk) is None:
                    raise NotFound("Board")
        return await ticket_connection(
            info, board_pk, status, priority, category, assignee_id, search, order_by, first, after
        )

    @strawberry.field(permission_classes=[IsAuthenticated], description="One ticket by global id.")
    async def ticket(self, info: Info, id: strawberry.ID) -> TicketType | None:
        row = await info.context.loaders.ticket.load(expect_global_id(id, "Ticket"))
        return TicketType.from_row(row) if row else None


def _required(value: Any, field: str) -> Any:
    if value is None:
        raise ValidationFailed(f"{field} cannot be null", field=field)
    return value


def _changes(data: UpdateTicketInput) -> service.TicketChanges:
    changes = service.TicketChanges()
    for key in ("title", "status", "priority", "tags"):
        value = getattr(data, key)
        if value is not strawberry.UNSET:
            setattr(changes, key, _required(value, key))
    for key in ("description", "category"):
        if (value := getattr(data, key)) is not strawberry.UNSET:
            setattr(changes, key, value)
    if data.assignee_id is not strawberry.UNSET:
        changes.assignee_id = optional_id(data.assignee_id, "User")
    return changes


@strawberry.type
class TicketMutations:
    @strawberry.mutation(permission_classes=[CanWrite], description="Open a ticket on a board.")
    async def create_ticket(self, info: Info, input: CreateTicketInput) -> TicketPayload:
        principal = info.context.require()
        draft = service.NewTicket(
            board_id=expect_global_id(input.board_id, "Board"),
            title=input.title,
            description=input.description,
            priority=input.priority,
            category=input.category,
            source=input.source,
            requester_name=input.requester_name,
            requester_email=input.requester_email,
            assignee_id=optional_id(input.assignee_id, "User"),
            tags=input.tags,
            metadata=input.metadata,
        )
        async with info.context.services.db.transaction() as work:
            ticket = await service.create_ticket(
                work.session, principal.tenant_id, Actor.of(principal), draft
            )
        return TicketPayload(ticket=TicketType.from_row(ticket))

    @strawberry.mutation(
        permission_classes=[CanWrite],
        description="Change status, priority, category, assignee, tags, title or description.",
    )
    async def update_ticket(self, info: Info, input: UpdateTicketInput) -> TicketPayload:
        principal = info.context.require()
        ticket_id, changes = expect_global_id(input.id, "Ticket"), _changes(input)
        async with info.context.services.db.transaction() as work:
            ticket = await service.update_ticket(
                work.session, principal.tenant_id, Actor.of(principal), ticket_id, changes
            )
        return TicketPayload(ticket=TicketType.from_row(ticket))

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Delete a ticket with its comments and timeline."
    )
    async def delete_ticket(self, info: Info, input: DeleteTicketInput) -> DeleteTicketPayload:
        principal = info.context.require()
        async with info.context.services.db.transaction() as work:
            ticket = await service.delete_ticket(
                work.session,
                principal.tenant_id,
                Actor.of(principal),
                expect_global_id(input.id, "Ticket"),
            )
        return DeleteTicketPayload(
            deleted_ticket_id=strawberry.ID(to_global_id("Ticket", ticket.id))
        )
