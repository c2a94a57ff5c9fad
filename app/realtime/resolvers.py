import uuid
from collections.abc import AsyncGenerator, Callable
from typing import Protocol

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.boards.repository import BoardRepository
from app.events.service import board_topic, ticket_topic
from app.graphql.context import Info
from app.graphql.permissions import IsAuthenticated, OverWebSocket
from app.kit.errors import NotFound
from app.kit.ids import expect_global_id
from app.realtime.stream import live_events
from app.realtime.types import LiveEventType
from app.tickets.repository import TicketRepository


class Scoped(Protocol):
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None: ...

    async def get(self, pk: uuid.UUID) -> object | None: ...


async def _events(
    info: Info,
    global_id: str,
    type_name: str,
    repository: type[Scoped],
    topic: Callable[[uuid.UUID], str],
    after: str | None,
) -> AsyncGenerator[LiveEventType, None]:
    """The live stream of one of the caller's objects; another tenant's id is NOT_FOUND."""
    principal = info.context.require()
    pk = expect_global_id(global_id, type_name)
    async with info.context.services.db.read() as session:
        if await repository(session, principal.tenant_id).get(pk) is None:
            raise NotFound(type_name)
    context = info.context
    async for event in live_events(
        context.services.hub, principal, topic(pk), after, owner=context.live
    ):
        yield event


@strawberry.type
class RealtimeSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated, OverWebSocket],
        description="Live changes to a board's tickets; with `after`, first every later event.",
    )
    async def board_events(
        self, info: Info, board_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        async for event in _events(info, board_id, "Board", BoardRepository, board_topic, after):
            yield event

    @strawberry.subscription(
        permission_classes=[IsAuthenticated, OverWebSocket],
        description="Live changes to one ticket and its comments; `after` replays first.",
    )
    async def ticket_events(
        self, info: Info, ticket_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[LiveEventType, None]:
        async for event in _events(
            info, ticket_id, "Ticket", TicketRepository, ticket_topic, after
        ):
            yield event
