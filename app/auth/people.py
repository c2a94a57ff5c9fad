"""The person behind an actor. Rules that need two people (four-eyes) compare people, not
credentials: a user and the API keys they created are one person."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.repository import ApiKeyRepository
from app.kit.actors import ActorKind


async def person_behind(
    session: AsyncSession, tenant_id: uuid.UUID, kind: str | None, actor_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The user who acts as this actor: a user is themself, an API key is the user who created
    it. None when no person answers for it: a key made by the operator or by another key, a
    key whose creator was removed, the system, a contact."""
    if actor_id is None:
        return None
    if kind == ActorKind.USER:
        return actor_id
    if kind == ActorKind.API_KEY:
        # Revoked keys count too: who made a key does not change when it stops working.
        key = await ApiKeyRepository(session, tenant_id).get(actor_id)
        return key.created_by_id if key is not None else None
    return None


async def second_person(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    first: tuple[str | None, uuid.UUID | None],
    second: tuple[str | None, uuid.UUID | None],
) -> bool:
    """True only when both actors are known people and not the same one. An actor nobody
    answers for can be anyone, so it never makes a second person, nor leaves one."""
    one = await person_behind(session, tenant_id, *first)
    other = await person_behind(session, tenant_id, *second)
    return one is not None and other is not None and one != other
