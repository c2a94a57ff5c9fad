"""A tenant's ticket SLA policy: targets per priority and the calendar they run on.

The default targets are the ladder most support teams publish: a critical ticket (a service
down for everyone) is answered within the hour and fixed within half a working day; a high one
(a person blocked) answered the same morning and fixed within a day; medium within a working
day and three days; low, questions and wishes, within a day and a working week. The default
calendar runs round the clock in UTC, because Haven cannot guess a team's hours or time zone:
a tenant sets its own.
"""

import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.sla.calendar import BusinessCalendar
from app.sla.models import TicketSlaPolicy
from app.tickets.models import Priority

HOUR, DAY = 60, 24 * 60
DEFAULT_TARGETS: dict[Priority, tuple[int, int]] = {
    Priority.CRITICAL: (HOUR, 4 * HOUR),
    Priority.HIGH: (4 * HOUR, DAY),
    Priority.MEDIUM: (8 * HOUR, 3 * DAY),
    Priority.LOW: (DAY, 5 * DAY),
}
# The warning goes out once this share of a target's time has passed.
WARN_SHARE = 0.8


@dataclass(frozen=True)
class Targets:
    """Working minutes to the first public reply and to resolution."""

    first_response: int
    resolution: int


@dataclass(frozen=True)
class Policy:
    targets: dict[Priority, Targets]
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)

    def for_priority(self, priority: str) -> Targets:
        return self.targets[Priority(priority)]


def default_targets() -> dict[Priority, Targets]:
    return {priority: Targets(*minutes) for priority, minutes in DEFAULT_TARGETS.items()}


def calendar_of(row: TicketSlaPolicy) -> BusinessCalendar:
    return BusinessCalendar(
        zone=ZoneInfo(row.time_zone),
        always_open=row.always_open,
        work_days=frozenset(row.work_days),
        day_start=row.day_start,
        day_end=row.day_end,
        holidays=frozenset(row.holidays),
    )


def policy_of(row: TicketSlaPolicy | None) -> Policy:
    if row is None:
        return Policy(default_targets())
    targets = default_targets()
    for name, given in row.targets.items():
        targets[Priority(name)] = Targets(given["first_response"], given["resolution"])
    return Policy(targets, calendar_of(row))


async def load_policy(session: AsyncSession, tenant_id: uuid.UUID) -> Policy:
    return policy_of(await session.get(TicketSlaPolicy, tenant_id))
