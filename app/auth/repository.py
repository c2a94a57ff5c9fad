"""Every query on users, sign-in sessions, refresh tokens and API keys."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import ApiKey, AuthSession, RefreshToken, User
from app.kit.repository import TenantRepository

API_KEY_TOUCH_INTERVAL = timedelta(seconds=60)


async def users_by_email(session: AsyncSession, email: str) -> list[tuple[User, str]]:
    """Active users with this email in any tenant, with the tenant's slug (sign-in only)."""
    from app.tenants.models import Tenant

    rows = await session.execute(
        select(User, Tenant.slug)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(User.email == email, User.is_active.is_(True))
    )
    return [(user, slug) for user, slug in rows.all()]


async def active_session_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
) -> User | None:
    """The user behind an access token, if the user is active and the sign-in not revoked."""
    return await session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.tenant_id == tenant_id,
            User.is_active.is_(True),
            AuthSession.id == session_id,
            AuthSession.tenant_id == tenant_id,
            AuthSession.revoked_at.is_(None),
        )
    )


async def refresh_token_for_update(
    session: AsyncSession, token_hash: bytes
) -> tuple[RefreshToken, AuthSession] | None:
    row = await session.execute(
        select(RefreshToken, AuthSession)
        .join(AuthSession, AuthSession.id == RefreshToken.session_id)
        .where(RefreshToken.token_hash == token_hash)
        .with_for_update(of=[RefreshToken, AuthSession])
    )
    found = row.first()
    return (found[0], found[1]) if found else None


async def revoke_session(session: AsyncSession, auth_session: AuthSession, reason: str) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == auth_session.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now().astimezone(), revoked_reason=reason)
    )


async def revoke_user_sessions(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, reason: str
) -> None:
    """End every sign-in of a user, so their refresh tokens stop working too."""
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.tenant_id == tenant_id,
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now().astimezone(), revoked_reason=reason)
    )


async def api_key_by_hash(session: AsyncSession, key_hash: bytes) -> ApiKey | None:
    return await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )


async def api_keys_by_hash(session: AsyncSession, hashes: list[bytes]) -> dict[bytes, ApiKey]:
    """Live keys among `hashes`, in one query (webhook deliveries are checked in batches)."""
    rows = await session.scalars(
        select(ApiKey).where(ApiKey.key_hash.in_(hashes), ApiKey.revoked_at.is_(None))
    )
    return {key.key_hash: key for key in rows}


async def touch_api_key(session: AsyncSession, key: ApiKey, now: datetime) -> None:
    """Record use at most once a minute, so busy keys do not write on every request."""
    if key.last_used_at is not None and now - key.last_used_at < API_KEY_TOUCH_INTERVAL:
        return
    await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
    key.last_used_at = now


class UserRepository(TenantRepository[User]):
    """Users of one tenant."""

    model = User

    async def all(self) -> list[User]:
        rows = await self.session.scalars(self.readable_statement().order_by(User.name, User.id))
        return list(rows)

    async def lock_active_admins(self) -> list[uuid.UUID]:
        """Ids of the tenant's active administrators, locked until the transaction ends, so
        two admins demoting each other at once cannot leave the tenant with none."""
        rows = await self.session.scalars(
            select(User.id)
            .where(
                self.in_tenant(User),
                User.role == "admin",
                User.is_active.is_(True),
            )
            .order_by(User.id)
            .with_for_update()
        )
        return list(rows)

    async def by_email(self, email: str) -> User | None:
        return await self.session.scalar(self.readable_statement().where(User.email == email))


class ApiKeyRepository(TenantRepository[ApiKey]):
    """API keys of one tenant."""

    model = ApiKey

    async def all(self) -> list[ApiKey]:
        rows = await self.session.scalars(
            self.readable_statement().order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        return list(rows)
