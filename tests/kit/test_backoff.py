"""Pauses between reconnect attempts: growing, capped, jittered, and still a number after a
very long outage."""

from app.kit.backoff import Backoff


def test_pauses_double_up_to_the_ceiling_each_drawn_from_its_upper_half() -> None:
    backoff = Backoff(first=0.05, ceiling=5.0)
    for failures, bound in [(1, 0.05), (2, 0.1), (3, 0.2), (8, 5.0), (20, 5.0)]:
        pauses = [backoff.delay(failures) for _ in range(200)]
        assert all(bound / 2 <= pause <= bound for pause in pauses), (failures, pauses)
        assert len(set(pauses)) > 1  # jittered, so lost clients do not return in step


def test_a_day_of_failures_in_a_row_still_gives_a_capped_pause() -> None:
    # Past about a thousand doublings 2**n no longer fits a float.
    assert 2.5 <= Backoff(first=0.05, ceiling=5.0).delay(100_000) <= 5.0
