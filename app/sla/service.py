"""Changing a tenant's ticket SLA policy, checked whole before anything is saved. A change
applies to tickets from their next change of priority or status, and to new tickets."""

import uuid
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from app.journal import service as journal
from app.journal.change import Change, Subject, auditable
from app.kit.actors import Actor
from app.kit.errors import ValidationFailed
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.sla.calendar import NoWorkingTime
from app.sla.models import TicketSlaPolicy
from app.sla.policy import DAY, calendar_of
from app.tickets.models import Priority

# A target may be from one minute to thirty days of working time.
MINUTES_MAX = 30 * DAY
HOLIDAYS_MAX = 400


@dataclass
class PolicyChanges:
    """The fields to change; None leaves one as it is."""

    targets: dict[Priority, tuple[int, int]] | None = None
    time_zone: str | None = None
    always_open: bool | None = None
    work_days: list[int] | None = None  # ISO weekdays: Monday is 1
    day_start: time | None = None
    day_end: time | None = None
    holidays: list[date] | None = None


def blank_policy(tenant_id: uuid.UUID) -> TicketSlaPolicy:
    """The defaults as a row: every target default, round the clock, UTC."""
    return TicketSlaPolicy(
        tenant_id=tenant_id,
        targets={},
        time_zone="UTC",
        always_open=True,
        work_days=[0, 1, 2, 3, 4],
        day_start=time(9),
        day_end=time(17),
        holidays=[],
    )


async def policy_row(session: AsyncSession, tenant_id: uuid.UUID) -> TicketSlaPolicy:
    return await session.get(TicketSlaPolicy, tenant_id) or blank_policy(tenant_id)


def _targets(given: dict[Priority, tuple[int, int]]) -> dict[str, Any]:
    for first_response, resolution in given.values():
        if not (1 <= first_response <= MINUTES_MAX and 1 <= resolution <= MINUTES_MAX):
            raise ValidationFailed(f"Targets must be 1 to {MINUTES_MAX} minutes", field="targets")
    return {
        priority.value: {"first_response": first, "resolution": resolution}
        for priority, (first, resolution) in given.items()
    }


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed("Unknown time zone", field="timeZone") from None
    return name


def _work_days(days: list[int]) -> list[int]:
    if not days or any(not 1 <= day <= 7 for day in days):
        raise ValidationFailed("Working days are 1 (Monday) to 7 (Sunday)", field="workDays")
    return sorted({day - 1 for day in days})


def _apply(row: TicketSlaPolicy, changes: PolicyChanges) -> None:
    if changes.targets is not None:
        row.targets = {**row.targets, **_targets(changes.targets)}
    if changes.time_zone is not None:
        row.time_zone = _zone(changes.time_zone)
    if changes.always_open is not None:
        row.always_open = changes.always_open
    if changes.work_days is not None:
        row.work_days = _work_days(changes.work_days)
    for name in ("day_start", "day_end"):
        if getattr(changes, name) is not None:
            setattr(row, name, getattr(changes, name))
    if changes.holidays is not None:
        if len(changes.holidays) > HOLIDAYS_MAX:
            raise ValidationFailed(f"At most {HOLIDAYS_MAX} holidays", field="holidays")
        row.holidays = sorted(set(changes.holidays))


def _check_calendar(row: TicketSlaPolicy) -> None:
    if row.day_start >= row.day_end:
        raise ValidationFailed("The working day must start before it ends", field="dayEnd")
    try:
        calendar_of(row).add(utcnow(), MINUTES_MAX)
    except NoWorkingTime:
        raise ValidationFailed("The calendar leaves no working time", field="holidays") from None


async def update_policy(
    session: AsyncSession, tenant_id: uuid.UUID, changes: PolicyChanges, *, actor: Actor
) -> TicketSlaPolicy:
    """Apply `changes` to the tenant's policy; nothing is saved unless the whole is valid.
    The change is audited: the deadlines a team is held to are a record regulators read."""
    stored = await session.get(TicketSlaPolicy, tenant_id, with_for_update=True)
    row = stored or blank_policy(tenant_id)
    _apply(row, changes)
    _check_calendar(row)
    row.updated_at = utcnow()
    if stored is None:
        session.add(row)
    await session.flush()
    given = {key: value for key, value in changes.__dict__.items() if value is not None}
    await journal.record(
        session,
        Change(
            tenant_id=tenant_id,
            actor=actor,
            action="sla_policy.updated",
            subjects=[Subject("Tenant", to_global_id("Tenant", tenant_id))],
            details=auditable(given),
        ),
    )
    return row
