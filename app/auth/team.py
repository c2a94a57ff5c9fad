"""Managing the team: deactivating, reactivating and re-roling users.

Each change is recorded through the journal, audited and as an access change, so the user's
open sockets are re-checked (and closed) in every process, and tokens carrying the old role
stop working."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.access import access_changed
from app.auth.models import Role, User
from app.auth.principal import Principal
from app.auth.repository import UserRepository, revoke_user_sessions
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit.actors import Actor
from app.kit.errors import HavenError, NotFound


class LastAdmin(HavenError):
    code = "LAST_ADMIN"
    http_status = 409


async def _target(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await UserRepository(session, principal.tenant_id).get(user_id)
    if user is None:
        raise NotFound("User")
    return user


async def _keep_an_admin(session: AsyncSession, principal: Principal, user: User) -> None:
    """Refuse a change that would leave the tenant without an active administrator."""
    admins = await UserRepository(session, principal.tenant_id).lock_active_admins()
    if admins == [user.id]:
        raise LastAdmin("The tenant must keep at least one active administrator")


async def _record(
    session: AsyncSession, principal: Principal, user: User, action: str, details: dict[str, str]
) -> None:
    change = Change(
        user.tenant_id,
        Actor.of(principal),
        action,
        [Subject("User", str(user.id))],
        details,
        live=access_changed("user", user.id, action),
    )
    await journal.record(session, change)


async def set_active(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, *, active: bool
) -> User:
    """Deactivate (sign-ins, tokens and live connections stop at once) or reactivate a user."""
    user = await _target(session, principal, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.role == Role.ADMIN:
            await _keep_an_admin(session, principal, user)
        await revoke_user_sessions(session, user.tenant_id, user.id, "user deactivated")
    user.is_active = active
    action = "user.reactivated" if active else "user.deactivated"
    await _record(session, principal, user, action, {"email": user.email})
    return user


async def set_role(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, role: Role
) -> User:
    """Change what a user may do; their tokens carrying the old role stop working."""
    user = await _target(session, principal, user_id)
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.is_active:
        await _keep_an_admin(session, principal, user)
    old, user.role = user.role, role
    await _record(session, principal, user, "user.role_changed", {"old": old, "new": role.value})
    return user
