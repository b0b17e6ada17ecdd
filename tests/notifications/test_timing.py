"""When a notice may reach a person: pure rules, no database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.availability import WindowSpec
from rota.notifications.timing import in_working_hours, reminder_due_at

WEEKDAYS_9_TO_5 = [WindowSpec(day, time(9), time(17)) for day in range(5)]


def local(when: datetime, zone: str) -> datetime:
    return when.astimezone(ZoneInfo(zone))


def test_a_monday_duty_is_reminded_of_when_fridays_work_starts() -> None:
    starts = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))  # a Monday
    due = reminder_due_at(WEEKDAYS_9_TO_5, "Europe/Berlin", starts)
    assert local(due, "Europe/Berlin") == datetime(2026, 2, 27, 9, tzinfo=ZoneInfo("Europe/Berlin"))


def test_a_wednesday_afternoon_duty_is_reminded_of_on_tuesday_morning() -> None:
    starts = datetime(2026, 3, 4, 14, tzinfo=ZoneInfo("Europe/Berlin"))
    due = reminder_due_at(WEEKDAYS_9_TO_5, "Europe/Berlin", starts)
    assert local(due, "Europe/Berlin").replace(tzinfo=None) == datetime(2026, 3, 3, 9)


def test_a_kathmandu_volunteers_reminder_lands_in_their_working_hours() -> None:
    # The rota hands over at 09:00 UTC: 14:45 in Kathmandu (UTC+5:45), 03:15 UTC at 09:00 there.
    starts = datetime(2026, 3, 9, 9, tzinfo=UTC)
    due = reminder_due_at(WEEKDAYS_9_TO_5, "Asia/Kathmandu", starts)
    assert due == datetime(2026, 3, 6, 3, 15, tzinfo=UTC)
    assert local(due, "Asia/Kathmandu").replace(tzinfo=None) == datetime(2026, 3, 6, 9)
    assert in_working_hours(WEEKDAYS_9_TO_5, "Asia/Kathmandu", due)
    assert not in_working_hours(WEEKDAYS_9_TO_5, "Asia/Kathmandu", due - timedelta(minutes=1))


def test_reminder_keeps_0900_local_when_new_york_springs_forward() -> None:
    # Clocks go from 02:00 to 03:00 on Sunday 8 March 2026: Friday is EST, Monday EDT.
    starts = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/New_York"))
    due = reminder_due_at(WEEKDAYS_9_TO_5, "America/New_York", starts)
    assert due == datetime(2026, 3, 6, 14, tzinfo=UTC)  # 09:00 EST
    assert starts.astimezone(UTC) == datetime(2026, 3, 9, 13, tzinfo=UTC)  # 09:00 EDT


def test_reminder_keeps_0900_local_when_berlin_falls_back() -> None:
    # Clocks go from 03:00 back to 02:00 on Sunday 25 October 2026.
    starts = datetime(2026, 10, 26, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    due = reminder_due_at(WEEKDAYS_9_TO_5, "Europe/Berlin", starts)
    assert due == datetime(2026, 10, 23, 7, tzinfo=UTC)  # 09:00 CEST
    assert in_working_hours(WEEKDAYS_9_TO_5, "Europe/Berlin", datetime(2026, 10, 26, 8, tzinfo=UTC))
    assert not in_working_hours(
        WEEKDAYS_9_TO_5, "Europe/Berlin", datetime(2026, 10, 26, 7, 30, tzinfo=UTC)
    )


def test_a_window_that_opens_inside_the_spring_forward_gap_opens_after_it() -> None:
    night_owl = [WindowSpec(6, time(2, 30), time(6))]  # Sundays 02:30-06:00 Berlin
    starts = datetime(2026, 3, 30, 12, tzinfo=UTC)  # the Monday after clocks went forward
    due = reminder_due_at(night_owl, "Europe/Berlin", starts)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, just after the gap
    assert in_working_hours(night_owl, "Europe/Berlin", due)


def test_an_overnight_window_counts_after_midnight() -> None:
    sunday_night = [WindowSpec(6, time(22), time(4), ends_next_day=True)]
    monday_1am = datetime(2026, 3, 2, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert in_working_hours(sunday_night, "Asia/Tokyo", monday_1am)
    assert not in_working_hours(sunday_night, "Asia/Tokyo", monday_1am + timedelta(hours=4))


def test_a_person_without_working_hours_hears_only_in_the_daytime() -> None:
    assert in_working_hours(
        [], "Asia/Tokyo", datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    )
    assert not in_working_hours(
        [], "Asia/Tokyo", datetime(2026, 3, 1, 3, tzinfo=ZoneInfo("Asia/Tokyo"))
    )
    starts = datetime(2026, 3, 4, 2, tzinfo=ZoneInfo("Asia/Tokyo"))  # Wednesday 02:00
    due = reminder_due_at([], "Asia/Tokyo", starts)
    assert local(due, "Asia/Tokyo").replace(tzinfo=None) == datetime(2026, 3, 3, 9)


def test_two_working_days_before_a_monday_duty_is_thursday() -> None:
    starts = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    due = reminder_due_at(WEEKDAYS_9_TO_5, "Europe/Berlin", starts, working_days=2)
    assert local(due, "Europe/Berlin").replace(tzinfo=None) == datetime(2026, 2, 26, 9)
