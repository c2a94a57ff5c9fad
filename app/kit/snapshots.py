"""Rows as JSON and back: events carry what a ticket or comment looked like when it changed."""

import uuid
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import inspect

M = TypeVar("M")


def snapshot(row: object) -> dict[str, Any]:
    """Every column of a mapped row, with UUIDs and times as strings."""
    values: dict[str, Any] = {}
    for attribute in inspect(type(row)).column_attrs:
        if attribute.deferred:
            continue
        value = getattr(row, attribute.key)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        values[attribute.key] = value
    return values


def restore(model: type[M], values: dict[str, Any]) -> M:
    """A detached row of `model` from a snapshot (for rendering, never for saving)."""
    kwargs: dict[str, Any] = {}
    for attribute in inspect(model).column_attrs:
        if attribute.key not in values:
            continue
        value = values[attribute.key]
        python_type = attribute.columns[0].type.python_type if value is not None else None
        if python_type is uuid.UUID:
            value = uuid.UUID(value)
        elif python_type is datetime:
            value = datetime.fromisoformat(value)
        kwargs[attribute.key] = value
    return model(**kwargs)
