"""Sign-in, refresh-token rotation, API keys and users: the rules, no transport."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.access import access_changed
from app.auth.models import ApiKey, AuthSession, RefreshToken, Role, User
from app.auth.passwords import hash_password, verify_password
from app.auth.people import person_behind
from app.auth.principal import Principal
from app.auth.secrets import API_KEY_PREFIX, REFRESH_PREFIX, digest, new_secret
from app.auth.signing import AccessClaims, TokenSigner
from app.journal import service as journal
from app.journal.change import Change, Subject
from app.kit import validation
from app.kit.actors import SYSTEM, Actor, ActorKind
from app.kit.db import add_unique
from app.kit.errors import NotFound, Unauthenticated, ValidationFailed

BAD_LOGIN = "Invalid email or password"


def _now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


async def login(
    session: AsyncSession,
    signer: TokenSigner,
    *,
    email: str,
    password: str,
    tenant_slug: str | None,
    refresh_ttl: int,
) -> TokenPair:
    """Check the password and open a new sign-in session with its first refresh token."""
    normalised = validation.email(email) or ""
    candidates = await repository.users_by_email(session, normalised)
    if tenant_slug is not None:
        candidates = [(user, slug) for user, slug in candidates if slug == tenant_slug]
    if not candidates:
        verify_password(None, password)  # spend the same time as for a real account
    # Only someone holding a correct password learns the email exists in several tenants.
    matching = [user for user, _ in candidates if verify_password(user.password_hash, password)]
    if not matching:
        raise Unauthenticated(BAD_LOGIN)
    if len(matching) > 1:
        raise ValidationFailed("This email belongs to several organisations; name the tenant")
    user = matching[0]
    auth_session = AuthSession(id=uuid.uuid4(), tenant_id=user.tenant_id, user_id=user.id)
    session.add(auth_session)
    return await _issue(session, signer, user, auth_session, refresh_ttl)


async def refresh(
    session: AsyncSession, signer: TokenSigner, *, refresh_token: str, refresh_ttl: int
) -> TokenPair | None:
    """Rotate a refresh token. None means it was used before: the whole family is revoked."""
    found = await repository.refresh_token_for_update(session, digest(refresh_token))
    if found is None:
        raise Unauthenticated("Invalid refresh token")
    token, auth_session = found
    if auth_session.revoked_at is not None or token.expires_at <= _now():
        raise Unauthenticated("Refresh token expired or revoked")
    if token.used_at is not None:
        await repository.revoke_session(session, auth_session, "refresh token reused")
        # Haven's own doing, on no one's request: not an audited change.
        live = access_changed("session", auth_session.id, "sign-in revoked")
        change = Change(auth_session.tenant_id, SYSTEM, "session.revoked", live=live)
        await journal.record(session, change)
        return None
    token.used_at = _now()
    user = await repository.UserRepository(session, auth_session.tenant_id).get(
        auth_session.user_id
    )
    if user is None or not user.is_active:
        raise Unauthenticated("Account disabled")
    return await _issue(session, signer, user, auth_session, refresh_ttl)


async def _issue(
    session: AsyncSession,
    signer: TokenSigner,
    user: User,
    auth_session: AuthSession,
    refresh_ttl: int,
) -> TokenPair:
    secret = new_secret(REFRESH_PREFIX)
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=digest(secret),
            expires_at=_now() + timedelta(seconds=refresh_ttl),
        )
    )
    await session.flush()
    claims = AccessClaims(user.id, user.tenant_id, user.role, auth_session.id)
    return TokenPair(signer.issue(claims), secret, signer.ttl, user)


async def principal_from_access_token(
    session: AsyncSession, signer: TokenSigner, token: str
) -> Principal:
    claims = signer.verify(token)
    user = await repository.active_session_user(
        session, claims.tenant_id, claims.user_id, claims.session_id
    )
    if user is None:
        raise Unauthenticated("Session revoked or account disabled")
    if user.role != claims.role:
        # A role change takes effect at once: tokens carrying the old role stop working.
        raise Unauthenticated("Role changed; sign in again")
    expires = datetime.fromtimestamp(claims.expires_at).astimezone() if claims.expires_at else None
    return Principal(
        user.tenant_id,
        Role(user.role),
        ActorKind.USER,
        user.id,
        user.name,
        session_id=claims.session_id,
        expires_at=expires,
    )


async def principal_from_api_key(session: AsyncSession, secret: str) -> Principal:
    key = await repository.api_key_by_hash(session, digest(secret))
    if key is None:
        raise Unauthenticated("Invalid or revoked API key")
    await repository.touch_api_key(session, key, _now())
    return Principal(key.tenant_id, Role(key.role), ActorKind.API_KEY, key.id, key.name)


async def create_api_key(
    session: AsyncSession, principal: Principal, *, name: str, role: Role
) -> tuple[ApiKey, str]:
    """A new key; the secret is returned here once and never again."""
    label = validation.name(name, "name")
    if not label:
        raise ValidationFailed("name is required", field="name")
    secret = new_secret(API_KEY_PREFIX)
    # A key answers to a person: its maker, or the person behind the key that made it.
    creator = await person_behind(session, principal.tenant_id, principal.kind, principal.actor_id)
    key = ApiKey(
        tenant_id=principal.tenant_id,
        name=label,
        role=role,
        prefix=secret[:10],
        key_hash=digest(secret),
        created_by_id=creator,
    )
    session.add(key)
    await session.flush()
    return key, secret


async def revoke_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    key = await repository.ApiKeyRepository(session, principal.tenant_id).get(key_id)
    if key is None:
        raise NotFound("API key")
    if key.revoked_at is None:
        key.revoked_at = _now()
        change = Change(
            key.tenant_id,
            Actor.of(principal),
            "api_key.revoked",
            [Subject("ApiKey", str(key.id))],
            live=access_changed("api_key", key.id, "key revoked"),
        )
        await journal.record(session, change)
    return key


async def create_user(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    email: str,
    name: str,
    role: Role,
    password: str | None,
) -> User:
    address = validation.email(email)
    if address is None:
        raise ValidationFailed("email is required", field="email")
    user = User(
        tenant_id=tenant_id,
        email=address,
        name=validation.name(name) or address,
        role=role,
        password_hash=hash_password(password) if password is not None else None,
    )
    await add_unique(session, user, "A user with this email already exists")
    return user
