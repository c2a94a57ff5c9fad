"""What a change is, as the journal records it (`app.journal.service`).

A domain says what changed, who changed it and why, and which records it belongs in: its own
timeline (through a `Timeline` it supplies, so the journal never imports a domain), a `Live`
event for the event log, and one audit entry per subject."""

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from app.kit.actors import Actor


class Subject(NamedTuple):
    """What a change was made to, as the audit chain names it: a type and a global id."""

    type: str
    id: str | None


@dataclass(frozen=True)
class Live:
    """The event a change writes to the tenant's event log, read by live subscriptions.

    `rows` are snapshotted into the payload under their keys once the change is flushed, so
    the event shows them as stored (`updated_at` and the like). `actor` overrides whom the
    event names, for events that are not about anyone's doing."""

    type: str
    topics: list[str]
    payload: Mapping[str, Any] = field(default_factory=dict)
    rows: Mapping[str, object] = field(default_factory=dict)
    internal: bool = False
    actor: Actor | None = None


class Timeline(Protocol):
    """A domain's own history of what changed (a case's timeline, an item's custody log)."""

    def rows(self, change: "Change") -> Iterable[object]:
        """The rows to add for `change`, written in its transaction."""
        ...


@dataclass(frozen=True)
class Change:
    """One change, recorded once. Each subject gets an audit entry with `details`; a change
    with no subjects (one the system makes on its own, like a revoked sign-in) is not
    audited."""

    tenant_id: uuid.UUID
    actor: Actor
    action: str
    subjects: Sequence[Subject] = ()
    details: dict[str, Any] | None = None
    reason: str | None = None
    ip: str | None = None
    timeline: Sequence[Timeline] = ()
    live: Live | None = None


def auditable(value: Any) -> Any:
    """`value` as the audit chain can hold it (JSON text, integers, booleans, null, arrays and
    objects; it hashes exact values, so a float is kept as its decimal text, a date or time
    as its ISO text)."""
    if isinstance(value, Mapping):
        return {str(key): auditable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [auditable(item) for item in value]
    if isinstance(value, float):
        return f"{value:g}"
    if value is None or isinstance(value, str | int | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
