"""Scheduled upkeep of sign-in records."""

from datetime import timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuthSession, RefreshToken
from app.kit.models import utcnow

# Kept a while after they stop working, so a reuse attempt is still recognised as one.
EXPIRED_GRACE = timedelta(days=1)
REVOKED_KEPT = timedelta(days=30)


async def prune_sign_ins(session: AsyncSession, refresh_ttl: timedelta) -> tuple[int, int]:
    """Delete refresh tokens long expired and sign-ins that can no longer be used.

    Returns how many refresh tokens and sign-ins were removed."""
    now = utcnow()
    tokens = await session.execute(
        delete(RefreshToken).where(RefreshToken.expires_at < now - EXPIRED_GRACE)
    )
    live_token = exists(select(RefreshToken.id).where(RefreshToken.session_id == AuthSession.id))
    sessions = await session.execute(
        delete(AuthSession).where(
            (AuthSession.revoked_at < now - REVOKED_KEPT)
            | ((AuthSession.created_at < now - refresh_ttl - EXPIRED_GRACE) & ~live_token)
        )
    )
    return tokens.rowcount, sessions.rowcount  # type: ignore[attr-defined]
