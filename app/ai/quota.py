"""Monthly AI calls per plan, as the API documents publish them: Free 10, paid plans unlimited.

What counts: every call someone asks for (the AI proxy, drafts, procedures), and automatic
triage only when it goes to an external provider. Triage by the local provider costs nothing
and is never refused, so a tenant over quota still gets every ticket triaged. Months are
calendar months in UTC. Two calls racing at the limit may both pass: the quota bounds cost, it
is not a security boundary."""

import uuid
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.models import AICall, Outcome
from app.kit.errors import HavenError
from app.kit.models import utcnow
from app.tenants.models import Plan, Tenant

MONTHLY_CALLS: dict[str, int | None] = {
    Plan.FREE: 10,
    Plan.PRO: None,
    Plan.BUSINESS: None,
    Plan.ENTERPRISE: None,
}


class QuotaExceeded(HavenError):
    code: ClassVar[str] = "AI_QUOTA_EXCEEDED"
    http_status: ClassVar[int] = 429


def month_start(now: datetime | None = None) -> datetime:
    moment = (now or utcnow()).astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def calls_left(session: AsyncSession, tenant_id: uuid.UUID) -> int | None:
    """Counted calls the tenant may still make this month; None when unlimited."""
    plan = await session.scalar(select(Tenant.plan).where(Tenant.id == tenant_id))
    limit = MONTHLY_CALLS.get(plan or Plan.FREE, MONTHLY_CALLS[Plan.FREE])
    if limit is None:
        return None
    used = await session.scalar(
        select(func.count())
        .select_from(AICall)
        .where(
            AICall.tenant_id == tenant_id,
            AICall.counted.is_(True),
            AICall.outcome == Outcome.OK,
            AICall.created_at >= month_start(),
        )
    )
    return max(limit - int(used or 0), 0)
