import uuid
from dataclasses import dataclass
from datetime import datetime

from app.auth.models import Role
from app.kit.actors import ActorKind


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user or an API key, always inside one tenant."""

    tenant_id: uuid.UUID
    role: Role
    kind: ActorKind
    actor_id: uuid.UUID
    name: str
    # Set for signed-in users: the sign-in their token belongs to, and when the token expires.
    session_id: uuid.UUID | None = None
    expires_at: datetime | None = None

    @property
    def subjects(self) -> frozenset[tuple[str, uuid.UUID]]:
        """What an access change may name to end this principal's live connections."""
        if self.kind == ActorKind.API_KEY:
            return frozenset({("api_key", self.actor_id)})
        found = {("user", self.actor_id)}
        if self.session_id is not None:
            found.add(("session", self.session_id))
        return frozenset(found)

    def same_person(self, other: "Principal") -> bool:
        """Whether `other` is the same credential's holder, as re-authentication requires."""
        return (self.tenant_id, self.kind, self.actor_id) == (
            other.tenant_id,
            other.kind,
            other.actor_id,
        )

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
