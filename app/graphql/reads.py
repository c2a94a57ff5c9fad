"""Reads that resolvers make alike, each in a short read session of its own in the caller's
tenant."""

import uuid
from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.graphql.context import Info

Row = TypeVar("Row")
Shown = TypeVar("Shown")


class Lister(Protocol[Row]):
    """A repository that lists all its rows of the tenant, in the order they are shown."""

    async def all(self) -> list[Row]: ...


async def every_row(
    info: Info,
    repository: Callable[[AsyncSession, uuid.UUID], Lister[Row]],
    show: Callable[[Row], Shown],
) -> list[Shown]:
    """Every row `repository` lists for the caller's tenant, each as `show` makes it."""
    tenant_id = info.context.require().tenant_id
    async with info.context.services.db.read() as session:
        rows = await repository(session, tenant_id).all()
    return [show(row) for row in rows]
