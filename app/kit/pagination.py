"""Keyset pagination with one cursor format for every list, GraphQL and REST alike.

A cursor is unpadded URL-safe base64 of a JSON list: the name of the ordering it was made for
(which names its list too), then the sort keys of the last row seen. The last key is unique, so
rows that tie on the others (two tickets touched in the same microsecond) page in one stable
order. Keys are written by kind: whole numbers as JSON integers, instants as ISO 8601 with their
offset, ids as UUID text. An instant without an offset is refused: no cursor is made without one,
and read as local time it would move the page boundary."""

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.errors import ValidationFailed

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 25
MALFORMED = "Malformed cursor"
MISMATCHED = "Cursor does not match this ordering"
BIGINT = 2**63


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field: str = "after") -> list[Any]:
    """The values of a cursor, however they are shaped; `Ordering.position` checks them."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):  # RecursionError: deeply nested JSON
        raise ValidationFailed(MALFORMED, field=field) from None
    if not isinstance(values, list):
        raise ValidationFailed(MALFORMED, field=field)
    return values


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed(f"first must be between 1 and {MAX_PAGE}", field="first")
    return first


def _whole(value: Any) -> int:
    # `type(...) is int`: JSON true is a Python bool, which is an int too.
    if type(value) is not int or not -BIGINT <= value < BIGINT:
        raise ValueError("not a whole number PostgreSQL can compare")
    return value


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("not an ISO 8601 instant")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment.astimezone(UTC)  # OverflowError at the edges of the calendar


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise TypeError("not a UUID")
    return uuid.UUID(value)


READERS: dict[type, Callable[[Any], Any]] = {int: _whole, datetime: _instant, uuid.UUID: _uuid}
WRITERS: dict[type, Callable[[Any], Any]] = {
    int: int,
    datetime: lambda moment: moment.isoformat(),
    uuid.UUID: str,
}


@dataclass(frozen=True)
class Key:
    """One sort key: the column or expression to order by, the kind of its values (int,
    datetime or uuid.UUID), and how a row gives its value when that is not the column's
    attribute of the row (an expression such as a priority rank)."""

    column: Any
    kind: type
    value: Callable[[Any], Any] | None = None

    def of(self, row: Any) -> Any:
        return self.value(row) if self.value is not None else getattr(row, self.column.key)


@dataclass(frozen=True)
class Ordering:
    """A keyset order of one list: its name (the first value of its cursors), its keys, the
    last of which is unique, and whether they run descending."""

    name: str
    keys: Sequence[Key]
    descending: bool = False

    def cursor(self, row: Any) -> str:
        keys = [WRITERS[key.kind](key.of(row)) for key in self.keys]
        return encode_cursor([self.name, *keys])

    def position(self, cursor: str, field: str = "after") -> list[Any]:
        """The keys a cursor of this ordering carries; any other cursor is refused."""
        values = decode_cursor(cursor, field)
        if not values or not isinstance(values[0], str):
            raise ValidationFailed(MALFORMED, field=field)
        if values[0] != self.name:
            raise ValidationFailed(MISMATCHED, field=field)
        if len(values) != len(self.keys) + 1:
            raise ValidationFailed(MALFORMED, field=field)
        try:
            return [
                READERS[key.kind](value) for key, value in zip(self.keys, values[1:], strict=True)
            ]
        except (TypeError, ValueError, OverflowError):
            raise ValidationFailed(MALFORMED, field=field) from None

    def after(self, query: Select[Any], cursor: str, field: str = "after") -> Select[Any]:
        """Rows strictly past the cursor's row, compared as one row value."""
        columns = tuple_(*(key.column for key in self.keys))
        bound = tuple_(*self.position(cursor, field))
        return query.where(columns < bound if self.descending else columns > bound)

    def ordered(self, query: Select[Any]) -> Select[Any]:
        return query.order_by(
            *(key.column.desc() if self.descending else key.column.asc() for key in self.keys)
        )


@dataclass
class Page(Generic[T]):
    """Rows of one page, each with its cursor, and whether more follow."""

    items: list[tuple[T, str]]
    has_next_page: bool
    total_count: int | None = None


async def paginate(
    session: AsyncSession,
    query: Select[Any],
    ordering: Ordering,
    first: int,
    after: str | None,
    *,
    field: str = "after",
) -> Page[Any]:
    """Up to `first` rows of `query` past `after`, in `ordering`. One row more is read to
    tell whether another page follows. With several entities selected, the rows are the
    first entity's."""
    if after is not None:
        query = ordering.after(query, after, field)
    rows = list(await session.scalars(ordering.ordered(query).limit(first + 1)))
    items = [(row, ordering.cursor(row)) for row in rows[:first]]
    return Page(items, has_next_page=len(rows) > first)
