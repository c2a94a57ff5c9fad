"""Business time: adding working minutes to an instant, and counting them between two."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How far ahead a deadline may be searched for: ten years of calendar days.
SEARCH_DAYS = 3660
UTC_ZONE = ZoneInfo("UTC")


class NoWorkingTime(Exception):
    """The calendar has no working time within the search horizon."""


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours on working days in one time zone, less holidays; or round the clock."""

    zone: ZoneInfo = UTC_ZONE
    always_open: bool = True
    work_days: frozenset[int] = frozenset(range(5))
    day_start: time = time(9)
    day_end: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def _windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working periods (in UTC) that end after `start`, in order, the first cut at it."""
        day = start.astimezone(self.zone).date()
        for _ in range(SEARCH_DAYS):
            if day.weekday() in self.work_days and day not in self.holidays:
                opens = datetime.combine(day, self.day_start, self.zone).astimezone(UTC)
                closes = datetime.combine(day, self.day_end, self.zone).astimezone(UTC)
                if closes > start:
                    yield max(opens, start), closes
            day += timedelta(days=1)

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `start`."""
        if self.always_open:
            return start + timedelta(minutes=minutes)
        left = timedelta(minutes=minutes)
        for opens, closes in self._windows(start):
            if closes - opens >= left:
                return opens + left
            left -= closes - opens
        raise NoWorkingTime(f"no working time within {SEARCH_DAYS} days")

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes from `start` to `end` (none when `end` is not later)."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds() / 60
        total = timedelta(0)
        for opens, closes in self._windows(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total.total_seconds() / 60
