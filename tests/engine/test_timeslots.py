from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest

from rota.engine import cadence_dates, local_to_utc, release_slot, weekly_slots
from tests.engine.engine_factories import utc


def monday_0900_week(zone: str, monday: date) -> tuple[datetime, datetime]:
    start = datetime(monday.year, monday.month, monday.day, tzinfo=None)
    slots = weekly_slots(
        "review",
        0,
        time(9),
        zone,
        local_to_utc(start.date(), time(0), zone),
        local_to_utc(start.date() + timedelta(days=1), time(0), zone),
        ("reviewer",),
    )
    assert len(slots) == 1
    return slots[0].start, slots[0].end


@pytest.mark.parametrize(
    ("zone", "monday", "start", "end", "hours"),
    [
        # Berlin springs forward on Sunday 29 March 2026: a 167-hour week.
        ("Europe/Berlin", date(2026, 3, 23), utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), 167),
        # Berlin falls back on Sunday 25 October 2026: a 169-hour week.
        ("Europe/Berlin", date(2026, 10, 19), utc(2026, 10, 19, 7), utc(2026, 10, 26, 8), 169),
        # New York springs forward on Sunday 8 March 2026.
        ("America/New_York", date(2026, 3, 2), utc(2026, 3, 2, 14), utc(2026, 3, 9, 13), 167),
        # New York falls back on Sunday 1 November 2026.
        ("America/New_York", date(2026, 10, 26), utc(2026, 10, 26, 13), utc(2026, 11, 2, 14), 169),
        # Sydney falls back on Sunday 5 April 2026 (southern autumn).
        ("Australia/Sydney", date(2026, 3, 30), utc(2026, 3, 29, 22), utc(2026, 4, 5, 23), 169),
        # Sydney springs forward on Sunday 4 October 2026 (southern spring).
        ("Australia/Sydney", date(2026, 9, 28), utc(2026, 9, 27, 23), utc(2026, 10, 4, 22), 167),
        # Kolkata has no DST and a half-hour offset: 09:00 IST is 03:30 UTC all year.
        ("Asia/Kolkata", date(2026, 3, 23), utc(2026, 3, 23, 3, 30), utc(2026, 3, 30, 3, 30), 168),
        # Kathmandu is +05:45: 09:00 is 03:15 UTC.
        (
            "Asia/Kathmandu",
            date(2026, 3, 23),
            utc(2026, 3, 23, 3, 15),
            utc(2026, 3, 30, 3, 15),
            168,
        ),
        # Lord Howe shifts by 30 minutes: back on 5 April 2026, forward on 4 October 2026.
        (
            "Australia/Lord_Howe",
            date(2026, 3, 30),
            utc(2026, 3, 29, 22),
            utc(2026, 4, 5, 22, 30),
            168.5,
        ),
        (
            "Australia/Lord_Howe",
            date(2026, 9, 28),
            utc(2026, 9, 27, 22, 30),
            utc(2026, 10, 4, 22),
            167.5,
        ),
    ],
    ids=[
        "berlin_springs_forward",
        "berlin_falls_back",
        "new_york_springs_forward",
        "new_york_falls_back",
        "sydney_falls_back_in_april",
        "sydney_springs_forward_in_october",
        "kolkata_plus_0530",
        "kathmandu_plus_0545",
        "lord_howe_falls_back_30_minutes",
        "lord_howe_springs_forward_30_minutes",
    ],
)
def test_weekly_handoff_keeps_0900_local_across_the_transition(
    zone: str, monday: date, start: datetime, end: datetime, hours: float
) -> None:
    got_start, got_end = monday_0900_week(zone, monday)
    assert (got_start, got_end) == (start, end)
    assert (got_end - got_start) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("day", "at", "zone", "expected"),
    [
        # gaps: the first valid instant after the gap (the moment the clocks jumped)
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", utc(2026, 3, 29, 1)),
        (date(2026, 3, 8), time(2, 30), "America/New_York", utc(2026, 3, 8, 7)),
        (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
        (date(2026, 10, 4), time(2, 30), "Australia/Sydney", utc(2026, 10, 3, 16)),
        # overlaps: the first occurrence (still summer time)
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
        (date(2026, 11, 1), time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
        (date(2026, 4, 5), time(1, 45), "Australia/Lord_Howe", utc(2026, 4, 4, 14, 45)),
        (date(2026, 4, 5), time(2, 30), "Australia/Sydney", utc(2026, 4, 4, 15, 30)),
    ],
    ids=[
        "berlin_gap_moves_to_0300",
        "new_york_gap_moves_to_0300",
        "lord_howe_half_hour_gap_moves_to_0230",
        "sydney_gap_moves_to_0300",
        "berlin_overlap_takes_first_0230",
        "new_york_overlap_takes_first_0130",
        "lord_howe_half_hour_overlap_takes_first_0145",
        "sydney_overlap_takes_first_0230",
    ],
)
def test_local_to_utc_follows_the_one_rule_for_gaps_and_overlaps(
    day: date, at: time, zone: str, expected: datetime
) -> None:
    assert local_to_utc(day, at, zone) == expected


def test_handoff_in_the_berlin_spring_gap_starts_when_the_clocks_jump() -> None:
    slots = weekly_slots(
        "triage", 6, time(2, 30), "Europe/Berlin", utc(2026, 3, 20), utc(2026, 4, 1), ("triager",)
    )
    assert [s.id for s in slots] == ["triage:2026-03-22", "triage:2026-03-29"]
    assert slots[0].end == slots[1].start == utc(2026, 3, 29, 1)
    assert slots[1].end == utc(2026, 4, 5, 0, 30)


def test_weekly_slots_tile_the_horizon_without_gaps_and_with_stable_ids() -> None:
    slots = weekly_slots(
        "review", 0, time(9), "Europe/Berlin", utc(2026, 3, 1), utc(2026, 5, 1), ("reviewer",) * 2
    )
    assert slots[0].id == "review:2026-03-02"
    assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    later = weekly_slots(
        "review", 0, time(9), "Europe/Berlin", utc(2026, 3, 20), utc(2026, 5, 1), ("reviewer",) * 2
    )
    assert {s.id: s for s in later}.items() <= {s.id: s for s in slots}.items()


def test_weekly_slots_every_two_weeks_span_two_local_weeks() -> None:
    slots = weekly_slots(
        "triage", 2, time(12), "Asia/Kolkata", utc(2026, 1, 1), utc(2026, 2, 1), ("t",), weeks=2
    )
    assert [s.id for s in slots] == ["triage:2026-01-07", "triage:2026-01-21"]
    assert slots[0].end - slots[0].start == timedelta(weeks=2)


def test_cadence_dates_repeat_every_four_weeks_up_to_and_including_the_end() -> None:
    dates = cadence_dates(date(2026, 1, 7), 4, date(2026, 3, 4))
    assert dates == (date(2026, 1, 7), date(2026, 2, 4), date(2026, 3, 4))
    assert all(d.weekday() == 2 for d in dates)


def test_cadence_dates_refuse_a_zero_cadence() -> None:
    with pytest.raises(ValueError, match="every_weeks"):
        cadence_dates(date(2026, 1, 7), 0, date(2026, 3, 4))


def test_release_slot_ends_at_the_release_handoff_and_is_named_after_the_version() -> None:
    slot = release_slot(
        "release", "5.2", date(2026, 3, 31), 7, time(10), "Europe/Berlin", ("lead", "shadow")
    )
    assert slot.id == "release:5.2"
    assert slot.end == utc(2026, 3, 31, 8)
    assert slot.start == utc(2026, 3, 24, 9)  # a week earlier, before Berlin sprang forward
    moved = release_slot(
        "release", "5.2", date(2026, 4, 7), 7, time(10), "Europe/Berlin", ("lead", "shadow")
    )
    assert moved.id == slot.id
