from datetime import datetime

import strawberry

from app.boards.models import Board
from app.graphql.context import Info
from app.graphql.relay import Connection, Node
from app.kit.attributes import from_attributes
from app.kit.ids import to_global_id
from app.tickets.enums import Priority, TicketStatus
from app.tickets.repository import TicketOrder
from app.tickets.types import TicketType


@strawberry.type(name="Board", description="A queue of tickets, shown in status columns.")
class BoardType(Node):
    name: str = strawberry.field(description="Board name, unique in the tenant.")
    description: str | None = strawberry.field(description="What the board is for.")
    created_at: datetime = strawberry.field(description="When it was created.")
    pk: strawberry.Private[object]

    @classmethod
    def from_row(cls, row: Board) -> "BoardType":
        return from_attributes(cls, row, id=strawberry.ID(to_global_id("Board", row.id)), pk=row.id)

    @strawberry.field(
        description="Where the live stream stands now. Read it before loading the tickets, "
        "then subscribe to `boardEvents(after: eventCursor)`: every change from then on "
        "arrives, and none is missed between the load and the subscription."
    )
    async def event_cursor(self, info: Info) -> str:
        from app.events.repository import EventRepository
        from app.realtime.live import event_cursor

        tenant_id = info.context.require().tenant_id
        async with info.context.services.db.read() as session:
            return event_cursor(await EventRepository(session, tenant_id).latest_seq())

    @strawberry.field(description="Tickets on this board, filtered and paged.")
    async def tickets(
        self,
        info: Info,
        status: TicketStatus | None = None,
        priority: Priority | None = None,
        category: str | None = None,
        assignee_id: strawberry.ID | None = None,
        search: str | None = None,
        order_by: TicketOrder = TicketOrder.NEWEST,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TicketType]:
        from app.tickets.resolvers import ticket_connection

        return await ticket_connection(
            info, self.pk, status, priority, category, assignee_id, search, order_by, first, after
        )


@strawberry.input
class CreateBoardInput:
    name: str = strawberry.field(description="Board name, unique in the tenant.")
    description: str | None = strawberry.field(default=None, description="What it is for.")


@strawberry.type
class CreateBoardPayload:
    board: BoardType = strawberry.field(description="The new board.")
