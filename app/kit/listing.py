"""A page of a list read now, and the list's total read only when it is asked for.

GraphQL's `totalCount` is a field of its own: a client that does not select it does not pay for
the count, and one that does gets it from a session of its own, as DataLoaders do."""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.db import Database
from app.kit.pagination import Page

Where = TypeVar("Where", contravariant=True)


class Listable(Protocol[Where]):
    """A repository that pages through, and counts, what a filter finds."""

    async def page(self, where: Where, first: int, after: str | None) -> Page[Any]: ...

    async def count(self, where: Where) -> int: ...


async def page_and_total(
    db: Database,
    listable: Callable[[AsyncSession], Listable[Where]],
    where: Where,
    first: int,
    after: str | None,
) -> tuple[Page[Any], Callable[[], Awaitable[int]]]:
    """One page of what `where` finds, and how to count all it finds."""
    async with db.read() as session:
        page = await listable(session).page(where, first, after)

    async def total() -> int:
        async with db.read() as session:
            return await listable(session).count(where)

    return page, total
