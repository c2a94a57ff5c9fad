"""Every query on tickets and their timeline, always scoped to one tenant."""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, or_

from app.kit.pagination import Key, Ordering, Page
from app.kit.repository import TenantRepository
from app.tickets.models import Priority, Ticket, TimelineEntry


class TicketOrder(Enum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RECENTLY_UPDATED = "recently_updated"
    PRIORITY = "priority"


PRIORITY_RANK = case(
    {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3},
    value=Ticket.priority,
)

NUMBER = Key(Ticket.number, int)
RANK = Key(PRIORITY_RANK, int, lambda ticket: list(Priority).index(Priority(ticket.priority)))
# The ticket number breaks ties. A cursor names its ordering: NEWEST and OLDEST keys look alike.
ORDERINGS = {
    TicketOrder.NEWEST: Ordering("tickets.newest", [NUMBER], descending=True),
    TicketOrder.OLDEST: Ordering("tickets.oldest", [NUMBER]),
    TicketOrder.RECENTLY_UPDATED: Ordering(
        "tickets.recently_updated", [Key(Ticket.updated_at, datetime), NUMBER], descending=True
    ),
    TicketOrder.PRIORITY: Ordering("tickets.priority", [RANK, NUMBER]),
}


@dataclass(frozen=True)
class TicketFilter:
    board_id: uuid.UUID | None = None
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: uuid.UUID | None = None
    search: str | None = None


class TicketRepository(TenantRepository[Ticket]):
    """Tickets of one tenant."""

    model = Ticket

    def _filtered(self, where: TicketFilter) -> Select[Any]:
        query = self.readable_statement()
        for column, value in (
            (Ticket.board_id, where.board_id),
            (Ticket.status, where.status),
            (Ticket.priority, where.priority),
            (Ticket.category, where.category),
            (Ticket.assignee_id, where.assignee_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.search and where.search.strip():
            query = query.where(_search_clause(where.search.strip()))
        return query

    async def page(
        self, where: TicketFilter, order: TicketOrder, first: int, after: str | None
    ) -> Page[Ticket]:
        return await self.paginate(self._filtered(where), ORDERINGS[order], first, after)

    async def count(self, where: TicketFilter) -> int:
        return await self.count_rows(self._filtered(where))

    async def delete(self, ticket: Ticket) -> None:
        await self.session.execute(
            delete(Ticket).where(Ticket.id == ticket.id, self.in_tenant(Ticket))
        )

    async def timelines(self, ticket_ids: list[uuid.UUID]) -> list[TimelineEntry]:
        rows = await self.session.scalars(
            self.tenant_rows(TimelineEntry, TimelineEntry.ticket_id.in_(ticket_ids)).order_by(
                TimelineEntry.created_at, TimelineEntry.id
            )
        )
        return list(rows)


def _search_clause(text: str) -> ColumnElement[bool]:
    """Full-text match on title and description; `#42` or `42` also finds ticket 42."""
    match = Ticket.search_vector.op("@@")(func.websearch_to_tsquery("simple", text))
    number = re.fullmatch(r"#?(\d{1,12})", text)
    return or_(match, Ticket.number == int(number.group(1))) if number else match
