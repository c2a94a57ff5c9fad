"""The rows a live event carries, as each owning domain says they are delivered.

An event's payload holds snapshots of rows under keys ("ticket", "comment", "case"). The domain
that owns a row says which `LiveEvent` field its snapshot fills and how the row is shown, so
realtime renders events without importing any domain. Domains say so in their `types` module,
which the schema imports: wherever there are subscribers to render for, every domain has."""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from app.kit.snapshots import restore

M = TypeVar("M")

Show = Callable[[dict[str, Any]], object]

_published: dict[str, tuple[str, Show]] = {}


def publish(key: str, field: str, model: type[M], show: Callable[[M], object]) -> None:
    """Deliver the `model` row snapshotted under `key` as `LiveEvent.<field>`, shown by `show`."""
    _published[key] = (field, lambda values: show(restore(model, values)))


def published(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The `LiveEvent` fields that the rows in `payload` fill, by field name."""
    return {
        field: show(payload[key]) for key, (field, show) in _published.items() if key in payload
    }
