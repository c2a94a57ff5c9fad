import uuid
from dataclasses import dataclass

from app.auth.principal import Principal
from app.tickets.models import ActorKind


@dataclass(frozen=True)
class Actor:
    """Who made a change, as the timeline and audit records show it."""

    kind: ActorKind
    id: uuid.UUID | None = None
    name: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> "Actor":
        return cls(principal.kind, principal.actor_id, principal.name)


SYSTEM = Actor(ActorKind.SYSTEM, None, "Haven")
