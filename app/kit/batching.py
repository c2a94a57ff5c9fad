"""Arranging batch-loaded rows in the order DataLoader asked for them."""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

R = TypeVar("R")


def by_id(rows: Iterable[R], keys: Sequence[uuid.UUID]) -> list[R | None]:
    found = {row.id: row for row in rows}  # type: ignore[attr-defined]
    return [found.get(key) for key in keys]


def grouped(rows: Iterable[R], keys: Sequence[uuid.UUID], attribute: str) -> list[list[R]]:
    groups: dict[Any, list[R]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, attribute)].append(row)
    return [groups.get(key, []) for key in keys]
