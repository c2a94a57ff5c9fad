"""Relay building blocks: the Node interface and cursor connections."""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.db import Database
from app.kit.listing import Listable, Where, page_and_total
from app.kit.pagination import Page, page_size

T = TypeVar("T")


@strawberry.interface(description="An object with a global id, fetchable through `node(id)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global id, stable and opaque.")


@strawberry.type(description="Where a page of a connection sits.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="One item of a connection and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items, in keyset order.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="How to fetch the next page.")
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match in all pages (costs one more query).")
    async def total_count(self) -> int:
        return await self.counter()

    @classmethod
    def of(
        cls, page: Page, convert: Callable, counter: Callable[[], Awaitable[int]]
    ) -> "Connection":
        edges = [Edge(cursor=cursor, node=convert(item)) for item, cursor in page.items]
        end = edges[-1].cursor if edges else None
        return cls(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=end),
            counter=counter,
        )

    @classmethod
    async def listed(
        cls,
        db: Database,
        listable: Callable[[AsyncSession], Listable[Where]],
        where: Where,
        first: int | None,
        after: str | None,
        convert: Callable,
    ) -> "Connection":
        """The page of what `where` finds that `first` and `after` ask for; `totalCount` counts
        in a session of its own, only when it is selected."""
        page, total = await page_and_total(db, listable, where, page_size(first), after)
        return cls.of(page, convert, total)
