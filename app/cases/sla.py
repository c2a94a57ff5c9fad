"""Response deadlines per case type and priority, and a tenant's own overrides.

The defaults follow the harm at stake: where a child or a life may be at risk right now (CSEA,
threats, self-harm) a critical case gets one hour and a high one four; other harms (harassment,
fraud, anything else) are serious but rarely minutes-critical, so they get the usual support
ladder of 4 hours, a day, three days and a week.
"""

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import CaseSlaPolicy, CaseType
from app.kit.errors import ValidationFailed
from app.kit.models import utcnow
from app.tickets.models import Priority

HOUR, DAY = 60, 24 * 60
URGENT_HARM = {
    Priority.CRITICAL: HOUR,
    Priority.HIGH: 4 * HOUR,
    Priority.MEDIUM: DAY,
    Priority.LOW: 3 * DAY,
}
OTHER_HARM = {
    Priority.CRITICAL: 4 * HOUR,
    Priority.HIGH: DAY,
    Priority.MEDIUM: 3 * DAY,
    Priority.LOW: 7 * DAY,
}
DEFAULT_MINUTES: dict[CaseType, dict[Priority, int]] = {
    CaseType.CSEA: URGENT_HARM,
    CaseType.THREATS: URGENT_HARM,
    CaseType.SELF_HARM: URGENT_HARM,
    CaseType.HARASSMENT: OTHER_HARM,
    CaseType.FRAUD: OTHER_HARM,
    CaseType.OTHER: OTHER_HARM,
}
# A tenant may tighten or loosen a deadline, within a minute and thirty days.
MINUTES_MAX = 30 * DAY


async def minutes_for(
    session: AsyncSession, tenant_id: uuid.UUID, case_type: str, priority: str
) -> int:
    """The tenant's own deadline for this kind of case, else the default."""
    override = await session.scalar(
        select(CaseSlaPolicy.minutes).where(
            CaseSlaPolicy.tenant_id == tenant_id,
            CaseSlaPolicy.case_type == case_type,
            CaseSlaPolicy.priority == priority,
        )
    )
    return (
        override
        if override is not None
        else DEFAULT_MINUTES[CaseType(case_type)][Priority(priority)]
    )


async def deadline(
    session: AsyncSession, tenant_id: uuid.UUID, case_type: str, priority: str, start: datetime
) -> datetime:
    return start + timedelta(minutes=await minutes_for(session, tenant_id, case_type, priority))


async def set_minutes(
    session: AsyncSession, tenant_id: uuid.UUID, case_type: str, priority: str, minutes: int
) -> None:
    if not 1 <= minutes <= MINUTES_MAX:
        raise ValidationFailed(f"minutes must be 1 to {MINUTES_MAX}", field="minutes")
    values = {"tenant_id": tenant_id, "case_type": case_type, "priority": priority}
    await session.execute(
        insert(CaseSlaPolicy)
        .values(**values, minutes=minutes, updated_at=utcnow())
        .on_conflict_do_update(
            index_elements=["tenant_id", "case_type", "priority"],
            set_={"minutes": minutes, "updated_at": utcnow()},
        )
    )


def remaining_seconds(
    sla_deadline: datetime, closed: bool, now: datetime | None = None
) -> int | None:
    """Seconds left (negative once breached); None for a closed case, which has no clock."""
    if closed:
        return None
    return math.floor((sla_deadline - (now or utcnow())).total_seconds())
