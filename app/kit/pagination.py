"""Keyset pagination: opaque cursors that carry the sort key of the last row seen."""

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.kit.errors import ValidationFailed

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 25


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError):  # RecursionError: deeply nested JSON
        raise ValidationFailed("Malformed cursor", field="after") from None
    if not isinstance(values, list):
        raise ValidationFailed("Malformed cursor", field="after")
    return values


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed(f"first must be between 1 and {MAX_PAGE}", field="first")
    return first


@dataclass
class Page(Generic[T]):
    """Rows of one page, each with its cursor, and whether more follow."""

    items: list[tuple[T, str]]
    has_next_page: bool
    total_count: int | None = None
