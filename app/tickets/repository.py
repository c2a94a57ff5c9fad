"""Every query on tickets and their timeline, always scoped to one tenant."""

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.errors import ValidationFailed
from app.kit.pagination import Page, decode_cursor, encode_cursor
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

# Sort keys per order, and whether they run descending. The ticket number breaks ties.
ORDER_KEYS: dict[TicketOrder, tuple[list[Any], bool]] = {
    TicketOrder.NEWEST: ([Ticket.number], True),
    TicketOrder.OLDEST: ([Ticket.number], False),
    TicketOrder.RECENTLY_UPDATED: ([Ticket.updated_at, Ticket.number], True),
    TicketOrder.PRIORITY: ([PRIORITY_RANK, Ticket.number], False),
}


@dataclass(frozen=True)
class TicketFilter:
    board_id: uuid.UUID | None = None
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: uuid.UUID | None = None
    search: str | None = None


def _bigint(value: Any) -> int:
    number = int(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError("out of range")
    return number


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment.astimezone(UTC)  # OverflowError at the edges of the calendar


def _cursor_values(order: TicketOrder, cursor: str) -> list[Any]:
    # A cursor starts with the ordering it was made for: NEWEST and OLDEST keys look alike.
    tag, *values = decode_cursor(cursor) or [None]
    keys, _ = ORDER_KEYS[order]
    if tag != order.value or len(values) != len(keys):
        raise ValidationFailed("Cursor does not match this ordering", field="after")
    try:
        if order is TicketOrder.RECENTLY_UPDATED:
            return [_moment(values[0]), _bigint(values[1])]
        return [_bigint(value) for value in values]
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed("Malformed cursor", field="after") from None


def _cursor_for(order: TicketOrder, ticket: Ticket) -> str:
    if order is TicketOrder.RECENTLY_UPDATED:
        keys = [ticket.updated_at.isoformat(), ticket.number]
    elif order is TicketOrder.PRIORITY:
        keys = [list(Priority).index(Priority(ticket.priority)), ticket.number]
    else:
        keys = [ticket.number]
    return encode_cursor([order.value, *keys])


class TicketRepository:
    """Tickets of one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def get(self, ticket_id: uuid.UUID, *, for_update: bool = False) -> Ticket | None:
        query = select(Ticket).where(Ticket.id == ticket_id, Ticket.tenant_id == self.tenant_id)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def by_ids(self, ticket_ids: list[uuid.UUID]) -> list[Ticket]:
        rows = await self.session.scalars(
            select(Ticket).where(Ticket.id.in_(ticket_ids), Ticket.tenant_id == self.tenant_id)
        )
        return list(rows)

    def _filtered(self, where: TicketFilter) -> Select[Ticket]:
        query = select(Ticket).where(Ticket.tenant_id == self.tenant_id)
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
        keys, descending = ORDER_KEYS[order]
        query = self._filtered(where)
        if after is not None:
            bound = tuple_(*keys), tuple_(*_cursor_values(order, after))
            query = query.where(bound[0] < bound[1] if descending else bound[0] > bound[1])
        query = query.order_by(*[key.desc() if descending else key.asc() for key in keys])
        rows = list(await self.session.scalars(query.limit(first + 1)))
        items = [(ticket, _cursor_for(order, ticket)) for ticket in rows[:first]]
        return Page(items, has_next_page=len(rows) > first)

    async def count(self, where: TicketFilter) -> int:
        query = self._filtered(where).with_only_columns(func.count(Ticket.id))
        return int(await self.session.scalar(query) or 0)

    async def delete(self, ticket: Ticket) -> None:
        await self.session.execute(
            delete(Ticket).where(Ticket.id == ticket.id, Ticket.tenant_id == self.tenant_id)
        )

    async def timelines(self, ticket_ids: list[uuid.UUID]) -> list[TimelineEntry]:
        rows = await self.session.scalars(
            select(TimelineEntry)
            .where(
                TimelineEntry.ticket_id.in_(ticket_ids), TimelineEntry.tenant_id == self.tenant_id
            )
            .order_by(TimelineEntry.created_at, TimelineEntry.id)
        )
        return list(rows)


def _search_clause(text: str) -> ColumnElement[bool]:
    """Full-text match on title and description; `#42` or `42` also finds ticket 42."""
    match = Ticket.search_vector.op("@@")(func.websearch_to_tsquery("simple", text))
    number = re.fullmatch(r"#?(\d{1,12})", text)
    return or_(match, Ticket.number == int(number.group(1))) if number else match
