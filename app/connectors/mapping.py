"""Inbound field mappings: which event fields become which ticket fields, and the documented
transforms applied on the way. Checked when a mapping is saved; applied to every event."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.kit.errors import ValidationFailed
from app.tickets.categories import map_category
from app.tickets.models import Priority

# Ticket fields a mapping may fill, plus `metadata.<key>` for anything else worth keeping.
TARGETS = (
    "title",
    "description",
    "category",
    "priority",
    "tags",
    "requester_name",
    "requester_email",
    "reporter_external_id",
    "subject_external_id",
)
METADATA_TARGET = re.compile(r"^metadata\.[a-z][a-z0-9_]{0,49}$")
# A dotted path into the event as the platform sent it: `payload.content.text`, `payload.ids.0`.
SOURCE = re.compile(r"^(event_id|event_type|timestamp|source|payload)(\.[A-Za-z0-9_-]{1,64}){0,7}$")
MAX_FIELD_MAPPINGS = 30
TRUNCATE_DEFAULT = 255
TRUNCATE_MAX = 100_000

PRIORITY_WORDS = {
    "urgent": Priority.CRITICAL,
    "critical": Priority.CRITICAL,
    "p1": Priority.CRITICAL,
    "high": Priority.HIGH,
    "p2": Priority.HIGH,
    "medium": Priority.MEDIUM,
    "normal": Priority.MEDIUM,
    "p3": Priority.MEDIUM,
    "low": Priority.LOW,
    "p4": Priority.LOW,
}


def map_priority(value: str) -> str:
    return PRIORITY_WORDS.get(value.strip().lower(), Priority.MEDIUM).value


def _truncate(argument: str | None) -> Callable[[str], str]:
    limit = TRUNCATE_DEFAULT
    if argument is not None:
        if not (argument.isdigit() and 1 <= int(argument) <= TRUNCATE_MAX):
            raise ValueError(f"truncate takes a length from 1 to {TRUNCATE_MAX}")
        limit = int(argument)
    return lambda value: value[:limit]


# name -> factory taking the optional `:argument` and returning the string function.
TRANSFORMS: dict[str, Callable[[str | None], Callable[[str], str]]] = {
    "lowercase": lambda _: str.lower,
    "uppercase": lambda _: str.upper,
    "trim": lambda _: str.strip,
    "truncate": _truncate,
    "map_category": lambda _: map_category,
    "map_priority": lambda _: map_priority,
}
TAKES_ARGUMENT = {"truncate"}


@dataclass(frozen=True)
class FieldMapping:
    source: str
    target: str
    transform: str | None = None

    def as_json(self) -> dict[str, str]:
        plain = {"source": self.source, "target": self.target}
        return {**plain, "transform": self.transform} if self.transform else plain


def transform_function(spec: str) -> Callable[[str], str]:
    """`lowercase`, `truncate`, `truncate:80`; ValueError naming what is wrong otherwise."""
    name, _, argument = spec.partition(":")
    factory = TRANSFORMS.get(name)
    if factory is None:
        raise ValueError(f"unknown transform {spec!r}; one of {', '.join(TRANSFORMS)}")
    if argument and name not in TAKES_ARGUMENT:
        raise ValueError(f"transform {name!r} takes no argument")
    return factory(argument or None)


def _check_one(index: int, raw: Any) -> FieldMapping:
    where = f"field_mappings[{index}]"
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where} must be an object", field="field_mappings")
    unknown = set(raw) - {"source", "target", "transform"}
    if unknown:
        raise ValidationFailed(
            f"{where} has unknown keys {sorted(unknown)}", field="field_mappings"
        )
    source, target, transform = raw.get("source"), raw.get("target"), raw.get("transform")
    if not isinstance(source, str) or not SOURCE.match(source):
        raise ValidationFailed(
            f"{where}.source must be a dotted path into the event, such as payload.reason",
            field="field_mappings",
        )
    if not isinstance(target, str) or not (target in TARGETS or METADATA_TARGET.match(target)):
        raise ValidationFailed(
            f"{where}.target {target!r} is not a ticket field; one of {', '.join(TARGETS)} "
            "or metadata.<key>",
            field="field_mappings",
        )
    if transform is not None:
        if not isinstance(transform, str):
            raise ValidationFailed(f"{where}.transform must be a string", field="field_mappings")
        try:
            transform_function(transform)
        except ValueError as error:
            raise ValidationFailed(f"{where}: {error}", field="field_mappings") from None
    return FieldMapping(source, target, transform)


def check_field_mappings(raw: Any) -> list[FieldMapping]:
    """Every mapping valid, or VALIDATION_ERROR naming the first one that is not."""
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed("field_mappings must be a non-empty array", field="field_mappings")
    if len(raw) > MAX_FIELD_MAPPINGS:
        raise ValidationFailed(
            f"at most {MAX_FIELD_MAPPINGS} field mappings per event type", field="field_mappings"
        )
    mappings = [_check_one(index, item) for index, item in enumerate(raw)]
    targets = [mapping.target for mapping in mappings]
    if len(set(targets)) != len(targets):
        raise ValidationFailed("each target may be filled once", field="field_mappings")
    return mappings


def lookup(event: dict[str, Any], path: str) -> Any:
    value: Any = event
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _as_text(value: Any) -> str | None:
    # Only scalars become text; an object where a string belongs is a platform-side mistake
    # the ticket should not silently absorb as "{...}".
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    return None


def apply(mappings: list[dict[str, str]], event: dict[str, Any]) -> tuple[dict[str, Any], list]:
    """Ticket field values from the event, and a note for each mapping that could not apply
    (kept on the ticket rather than refusing an event the platform has already sent)."""
    fields: dict[str, Any] = {}
    skipped: list[str] = []
    for mapping in mappings:
        raw = lookup(event, mapping["source"])
        if raw is None:
            continue
        target = mapping["target"]
        if target == "tags" and isinstance(raw, list):
            texts = [_as_text(item) for item in raw]
            values = [text for text in texts if text]
        else:
            text = _as_text(raw)
            values = [text] if text is not None else []
        if not values:
            skipped.append(f"{mapping['source']}: not a string or number")
            continue
        if mapping.get("transform"):
            function = transform_function(mapping["transform"])
            values = [function(value) for value in values]
        if target == "priority" and values[0] not in {p.value for p in Priority}:
            values = [map_priority(values[0])]
        fields[target] = values if target == "tags" else values[0]
    return fields, skipped
