from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from app.boards.repository import BoardRepository
from app.events.service import board_topic, ticket_topic
from app.graphql.permissions import IsAuthenticated
from app.kit.errors import NotFound
from app.kit.ids import expect_global_id
from app.realtime.stream import live_events
from app.realtime.types import LiveEventType
from app.tickets.repository import TicketRepository


@strawberry.type
class RealtimeSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Live changes to a board's tickets; with `after`, first every later event.",
    )
    async def board_events(
        self, info: Info, board_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        principal = info.context.require()
        board_pk = expect_global_id(board_id, "Board")
        async with info.context.services.db.read() as session:
            if await BoardRepository(session, principal.tenant_id).get(board_pk) is None:
                raise NotFound("Board")
        hub = info.context.services.hub
        async for event in live_events(hub, principal, board_topic(board_pk), after):
            yield event

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Live changes to one ticket and its comments; `after` replays first.",
    )
    async def ticket_events(
        self, info: Info, ticket_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        principal = info.context.require()
        ticket_pk = expect_global_id(ticket_id, "Ticket")
        async with info.context.services.db.read() as session:
            if await TicketRepository(session, principal.tenant_id).get(ticket_pk) is None:
                raise NotFound("Ticket")
        hub = info.context.services.hub
        async for event in live_events(hub, principal, ticket_topic(ticket_pk), after):
            yield event
