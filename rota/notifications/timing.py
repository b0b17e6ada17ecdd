"""When a notice may reach a person: inside their working hours, in their own zone.

Pure functions of working-hour windows (local wall-clock times), an IANA zone and UTC
instants. Windows are read as wall-clock times in the person's zone on each local date, so a
09:00 window stays at 09:00 local on both sides of a daylight-saving change. A local time that
does not exist (skipped by a spring-forward) resolves to the instant after the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.availability import WEEK_MINUTES, WindowSpec

# A person who gave no working hours still never hears from us at night: daytime every day.
DAYTIME = tuple(WindowSpec(day, time(9), time(18)) for day in range(7))

# How far back a reminder looks for a working day before the duty.
REMINDER_SEARCH_DAYS = 14


def windows_or_daytime(windows: Sequence[WindowSpec]) -> Sequence[WindowSpec]:
    return windows or DAYTIME


def in_working_hours(windows: Sequence[WindowSpec], zone: str, instant: datetime) -> bool:
    """Whether `instant` falls inside one of the person's windows, read on their wall clock."""
    local = instant.astimezone(ZoneInfo(zone))
    minute = local.weekday() * 1440 + local.hour * 60 + local.minute
    for window in windows_or_daytime(windows):
        start, end = window.minutes()
        if start <= minute < end or start <= minute + WEEK_MINUTES < end:
            return True
    return False


def _local_instant(day: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date; a time in a spring-forward gap
    becomes the first instant after the gap (Python reads it with the earlier offset, which
    lands after the gap once normalised)."""
    return datetime.combine(day.date(), at, tzinfo=zone).astimezone(UTC)


def reminder_due_at(
    windows: Sequence[WindowSpec], zone: str, starts_at: datetime, *, working_days: int = 1
) -> datetime:
    """When the reminder of a duty starting at `starts_at` is due: the first opening of the
    person's `working_days`-th working day before the duty's local date.

    One working day before a Monday duty is Friday (for a Monday-to-Friday person), before a
    Wednesday afternoon duty Tuesday morning. A working day is a local date on which one of
    the person's windows opens; without windows, every day from 09:00.
    """
    tz = ZoneInfo(zone)
    duty_day = starts_at.astimezone(tz)
    found = 0
    for back in range(1, REMINDER_SEARCH_DAYS * max(1, working_days) + 1):
        day = duty_day - timedelta(days=back)
        openings = sorted(
            _local_instant(day, w.start, tz)
            for w in windows_or_daytime(windows)
            if w.weekday == day.weekday()
        )
        if openings:
            found += 1
            if found == working_days:
                return openings[0]
    return starts_at - timedelta(days=working_days)  # no working day in weeks: keep the lead
