import uuid
from dataclasses import dataclass

from app.auth.models import Role
from app.tickets.models import ActorKind


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user or an API key, always inside one tenant."""

    tenant_id: uuid.UUID
    role: Role
    kind: ActorKind
    actor_id: uuid.UUID
    name: str

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.actor_id if self.kind == ActorKind.USER else None

    @property
    def can_write(self) -> bool:
        return self.role != Role.VIEWER

    @property
    def sees_internal(self) -> bool:
        """Internal notes are for the team that works tickets; viewers only read the record."""
        return self.role != Role.VIEWER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
