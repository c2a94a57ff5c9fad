"""Every query on widget tokens (reports are only ever added, with their ticket)."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.widgets.models import WidgetToken

TOUCH_INTERVAL = timedelta(seconds=60)


async def token_by_hash(session: AsyncSession, token_hash: bytes) -> WidgetToken | None:
    """The live token with this hash, in whichever tenant holds it: the token names the tenant."""
    return await session.scalar(
        select(WidgetToken).where(
            WidgetToken.token_hash == token_hash, WidgetToken.revoked_at.is_(None)
        )
    )


class WidgetTokenRepository:
    """Widget tokens of one tenant."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session, self.tenant_id = session, tenant_id

    async def get(self, token_id: uuid.UUID) -> WidgetToken | None:
        return await self.session.scalar(
            select(WidgetToken).where(
                WidgetToken.id == token_id, WidgetToken.tenant_id == self.tenant_id
            )
        )

    async def all(self) -> list[WidgetToken]:
        rows = await self.session.scalars(
            select(WidgetToken)
            .where(WidgetToken.tenant_id == self.tenant_id)
            .order_by(WidgetToken.created_at.desc(), WidgetToken.id)
        )
        return list(rows)

    async def touch(self, token: WidgetToken, now: datetime) -> None:
        """Record use at most once a minute, so a busy widget does not write on every report."""
        if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
            return
        await self.session.execute(
            update(WidgetToken)
            .where(WidgetToken.id == token.id, WidgetToken.tenant_id == self.tenant_id)
            .values(last_used_at=now)
        )
        token.last_used_at = now
