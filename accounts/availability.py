"""Pure rules about working-hour windows and days off (no database)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WEEK_MINUTES = 7 * 1440
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, order=True)
class WindowSpec:
    weekday: int
    start: time
    end: time
    ends_next_day: bool = False

    def minutes(self) -> tuple[int, int]:
        start = self.weekday * 1440 + self.start.hour * 60 + self.start.minute
        end = self.weekday * 1440 + self.end.hour * 60 + self.end.minute
        if self.ends_next_day:
            end += 1440
        return start, end

    def label(self) -> str:
        suffix = " (ends next day)" if self.ends_next_day else ""
        return f"{DAY_NAMES[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}{suffix}"


def window_error(start: time, end: time, ends_next_day: bool) -> str | None:
    """Why one window is invalid, or None."""
    if ends_next_day and end > start:
        return "An overnight window must end at or before its start time on the next day."
    if not ends_next_day and end <= start:
        return "The end must be after the start; for an overnight window tick 'ends next day'."
    return None


def overlapping_windows(windows: Sequence[WindowSpec]) -> list[tuple[WindowSpec, WindowSpec]]:
    """Pairs of windows that overlap in the week (Sunday night wraps into Monday)."""
    spans: list[tuple[int, int, WindowSpec]] = []
    for window in windows:
        start, end = window.minutes()
        spans.append((start, end, window))
        if end > WEEK_MINUTES:  # Sunday overnight continues on Monday
            spans.append((start - WEEK_MINUTES, end - WEEK_MINUTES, window))
    spans.sort(key=lambda span: (span[0], span[1]))
    found: list[tuple[WindowSpec, WindowSpec]] = []
    for index, (_start, end, window) in enumerate(spans):
        for other_start, _other_end, other in spans[index + 1 :]:
            if other_start >= end:
                break
            if (
                other is not window
                and (other, window) not in found
                and (window, other) not in found
            ):
                found.append((window, other))
    return found


def day_bounds_utc(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A local calendar day as a UTC interval (23 or 25 hours long on DST change days)."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def days_off_to_utc(
    ranges: Iterable[tuple[date, date]], zone_name: str
) -> list[tuple[datetime, datetime]]:
    """Inclusive local date ranges as merged UTC intervals, from local midnight to midnight."""
    zone = ZoneInfo(zone_name)
    intervals = sorted(
        (day_bounds_utc(first, zone)[0], day_bounds_utc(last, zone)[1]) for first, last in ranges
    )
    merged: list[tuple[datetime, datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def public_holidays(country: str, first: date, last: date) -> list[tuple[date, str]]:
    """The public holidays of a country between two dates (inclusive), from `holidays`."""
    if not country:
        return []
    return [
        (day, name)
        for year in range(first.year, last.year + 1)
        for day, name in _holidays_of_year(country, year)
        if first <= day <= last
    ]


@lru_cache(maxsize=1024)
def _holidays_of_year(country: str, year: int) -> tuple[tuple[date, str], ...]:
    # Planning asks for the same few countries and years for every member: build each
    # calendar once per process.
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package has no calendar for
        return ()
    return tuple(sorted(calendar.items()))


def windows_contain(windows: Iterable[WindowSpec], local: datetime) -> bool:
    """Whether a local wall-clock instant lies inside one of the weekly windows (an overnight
    window on Sunday runs into Monday)."""
    minute = local.weekday() * 1440 + local.hour * 60 + local.minute
    for window in windows:
        start, end = window.minutes()
        if start <= minute < end or start <= minute + WEEK_MINUTES < end:
            return True
    return False
