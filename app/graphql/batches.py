"""DataLoader batch functions made from a repository's reads. Each one opens a short read
session of its own in the caller's tenant, reads every key it was given at once, and answers in
the order the keys were asked for."""

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.batching import grouped
from app.kit.db import Database

Repository = TypeVar("Repository")
Found = TypeVar("Found")
Answer = TypeVar("Answer")
Row = TypeVar("Row")

Batch = Callable[[Database, uuid.UUID, Sequence[uuid.UUID]], Awaitable[list[Answer]]]


class Batching(Generic[Repository]):
    """Batch functions that read through one tenant-scoped repository."""

    def __init__(self, repository: Callable[[AsyncSession, uuid.UUID], Repository]) -> None:
        self.repository = repository

    def batch(
        self,
        read: Callable[[Repository, list[uuid.UUID]], Awaitable[Found]],
        arrange: Callable[[Found, Sequence[uuid.UUID]], list[Answer]],
    ) -> Batch[Answer]:
        """Loads that `read` the keys from the repository, `arrange`d one answer a key."""
        repository = self.repository

        async def load(
            db: Database, tenant_id: uuid.UUID, keys: Sequence[uuid.UUID]
        ) -> list[Answer]:
            async with db.read() as session:
                found = await read(repository(session, tenant_id), list(keys))
            return arrange(found, keys)

        return load


def grouped_by(attribute: str) -> Callable[[Iterable[Row], Sequence[uuid.UUID]], list[list[Row]]]:
    """An `arrange` answering each key with the rows whose `attribute` it is."""
    return lambda rows, keys: grouped(rows, keys, attribute)
