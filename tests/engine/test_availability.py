from __future__ import annotations

from datetime import time, timedelta

import pytest

from rota.engine import Window
from rota.engine.availability import TimeOff, WorkingTimes
from rota.engine.model import Interval
from tests.engine.engine_factories import MONDAY, OFFICE_HOURS, utc

WEEK_END = MONDAY + timedelta(weeks=1)


def hours(mask: int) -> list[int]:
    return [h for h in range(24) if mask >> h & 1]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", list(range(9, 17))),
        # 09:00-17:00 IST is 03:30-11:30 UTC: the half hours at both ends count
        ("Asia/Kolkata", list(range(3, 12))),
        # 09:00-17:00 NPT is 03:15-11:15 UTC: 45 minutes of 03 count, 15 minutes of 11 do not
        ("Asia/Kathmandu", list(range(3, 11))),
        # Lord Howe in January is +11: 09:00-17:00 is 22:00-06:00 UTC
        ("Australia/Lord_Howe", [22, 23, 0, 1, 2, 3, 4, 5]),
    ],
    ids=["utc", "kolkata_plus_0530", "kathmandu_plus_0545", "lord_howe_summer_plus_11"],
)
def test_office_hours_cover_the_utc_hours_of_their_zone(zone: str, expected: list[int]) -> None:
    working = WorkingTimes().within((zone, OFFICE_HOURS), MONDAY, WEEK_END)
    assert hours(working.hours_mask) == sorted(expected)
    assert working.seconds == 5 * 8 * 3600


def test_an_overnight_window_runs_into_the_next_day() -> None:
    night = (Window(0, time(22), time(6)),)
    working = WorkingTimes().within(("UTC", night), MONDAY, WEEK_END)
    assert working.spans == ((utc(2026, 1, 5, 22), utc(2026, 1, 6, 6)),)
    assert hours(working.hours_mask) == [0, 1, 2, 3, 4, 5, 22, 23]


def test_a_sunday_night_window_from_before_the_slot_reaches_into_it() -> None:
    sunday_night = (Window(6, time(20), time(4)),)
    working = WorkingTimes().within(("UTC", sunday_night), MONDAY, WEEK_END)
    assert working.spans[0] == (MONDAY, utc(2026, 1, 5, 4))
    assert working.seconds == (4 + 4) * 3600  # Monday's early hours and next Sunday's evening


def test_working_time_follows_the_wall_clock_when_berlin_springs_forward() -> None:
    # the review week from Monday 09:00 CET to Monday 09:00 CEST is 167 hours long
    working = WorkingTimes().within(
        ("Europe/Berlin", OFFICE_HOURS), utc(2026, 3, 23, 8), utc(2026, 3, 30, 7)
    )
    assert len(working.spans) == 5
    assert working.spans[-1] == (utc(2026, 3, 27, 8), utc(2026, 3, 27, 16))
    after = WorkingTimes().within(
        ("Europe/Berlin", OFFICE_HOURS), utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)
    )
    assert after.spans[0] == (utc(2026, 3, 30, 7), utc(2026, 3, 30, 15))  # 09:00 CEST
    assert hours(working.hours_mask) == list(range(8, 16))
    assert hours(after.hours_mask) == list(range(7, 15))


def test_repeating_weeks_share_one_shape_and_stay_exact() -> None:
    times = WorkingTimes()
    key = ("America/New_York", OFFICE_HOURS)
    first = times.within(key, MONDAY, WEEK_END)
    later = times.within(key, MONDAY + timedelta(weeks=3), WEEK_END + timedelta(weeks=3))
    assert [(a + timedelta(weeks=3), b + timedelta(weeks=3)) for a, b in first.spans] == list(
        later.spans
    )


@pytest.mark.parametrize(
    ("off_hours", "fraction"),
    [(0, 1.0), (8, 1.0), (17, 0.8), (24, 0.8), (48, 0.6), (24 * 7, 0.0)],
)
def test_free_fraction_counts_only_working_time_lost(off_hours: int, fraction: float) -> None:
    working = WorkingTimes().within(("UTC", OFFICE_HOURS), MONDAY, WEEK_END)
    off = TimeOff((Interval(MONDAY, MONDAY + timedelta(hours=off_hours)),) if off_hours else ())
    assert off.free_fraction(working) == pytest.approx(fraction)
