"""Business time: deadlines skip evenings, weekends and holidays in the tenant's time zone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.sla.calendar import BusinessCalendar

LONDON = ZoneInfo("Europe/London")
# Monday to Friday, 09:00 to 17:00 in London, Monday 4 May 2026 a bank holiday.
OFFICE = BusinessCalendar(
    zone=LONDON,
    always_open=False,
    work_days=frozenset(range(5)),
    day_start=time(9),
    day_end=time(17),
    holidays=frozenset({date(2026, 5, 4)}),
)


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


class TestBusinessCalendar:
    def test_a_deadline_runs_over_the_weekend_and_the_bank_holiday(self) -> None:
        # Friday 16:00 with a 4-hour target: one hour on Friday, Monday is a holiday.
        assert OFFICE.add(london(2026, 5, 1, 16), 240) == london(2026, 5, 5, 12)

    def test_a_ticket_filed_at_night_starts_its_clock_next_morning(self) -> None:
        assert OFFICE.add(london(2026, 5, 5, 22, 30), 60) == london(2026, 5, 6, 10)

    def test_working_minutes_between_skip_nights_and_holidays(self) -> None:
        assert OFFICE.minutes_between(london(2026, 5, 1, 16), london(2026, 5, 5, 10)) == 120

    def test_round_the_clock_counts_every_minute(self) -> None:
        start = datetime(2026, 5, 2, 23, 0, tzinfo=UTC)
        assert BusinessCalendar().add(start, 90) == datetime(2026, 5, 3, 0, 30, tzinfo=UTC)
