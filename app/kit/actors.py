"""Who acts on Haven's records: people, API keys, the public and Haven itself. The kernel knows
only these kinds; who a caller is (app.auth.principal) is built on them."""

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from app.kit.ids import to_global_id


class ActorKind(StrEnum):
    USER = "user"
    API_KEY = "api_key"
    CONTACT = "contact"
    SYSTEM = "system"


# The kinds of actor that are records of a tenant, each with global ids of its own.
GLOBAL_TYPES: dict[str, str] = {ActorKind.USER: "User", ActorKind.API_KEY: "ApiKey"}


def actor_global_id(kind: str | None, actor_id: uuid.UUID | None) -> str | None:
    """The global id of the person or API key who acted; None for anyone else."""
    type_name = GLOBAL_TYPES.get(kind or "")
    return to_global_id(type_name, actor_id) if type_name and actor_id else None


def shown_name(kind: str, name: str | None) -> str:
    """Who acted, as the REST document names them: `system` for Haven itself, and for anyone
    whose name was not recorded."""
    return "system" if kind == ActorKind.SYSTEM or not name else name


class Acting(Protocol):
    """Anything that acts as someone: a principal, or a record of one."""

    @property
    def kind(self) -> ActorKind: ...

    @property
    def actor_id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the timeline and audit records show it."""

    kind: ActorKind
    id: uuid.UUID | None = None
    name: str | None = None

    @classmethod
    def of(cls, principal: Acting) -> "Actor":
        return cls(principal.kind, principal.actor_id, principal.name)

    def as_columns(self, prefix: str) -> dict[str, Any]:
        """The actor as a row records it: `<prefix>_kind`, `<prefix>_id` and `<prefix>_name`."""
        return {f"{prefix}_kind": self.kind, f"{prefix}_id": self.id, f"{prefix}_name": self.name}


SYSTEM = Actor(ActorKind.SYSTEM, None, "Haven")
