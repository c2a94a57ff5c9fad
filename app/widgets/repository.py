"""Every query on widget tokens (reports are only ever added, with their ticket)."""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.repository import TenantRepository
from app.widgets.models import WidgetToken

TOUCH_INTERVAL = timedelta(seconds=60)


async def token_by_hash(session: AsyncSession, token_hash: bytes) -> WidgetToken | None:
    """The live token with this hash, in whichever tenant holds it: the token names the tenant."""
    return await session.scalar(
        select(WidgetToken).where(
            WidgetToken.token_hash == token_hash, WidgetToken.revoked_at.is_(None)
        )
    )


class WidgetTokenRepository(TenantRepository[WidgetToken]):
    """Widget tokens of one tenant."""

    model = WidgetToken

    async def all(self) -> list[WidgetToken]:
        rows = await self.session.scalars(
            self.readable_statement().order_by(WidgetToken.created_at.desc(), WidgetToken.id)
        )
        return list(rows)

    async def touch(self, token: WidgetToken, now: datetime) -> None:
        """Record use at most once a minute, so a busy widget does not write on every report."""
        if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
            return
        await self.session.execute(
            update(WidgetToken)
            .where(WidgetToken.id == token.id, self.in_tenant(WidgetToken))
            .values(last_used_at=now)
        )
        token.last_used_at = now
