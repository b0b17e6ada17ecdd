"""A person's working time as UTC intervals, from their local weekly windows and time off.

Windows are wall-clock times in the person's zone, expanded day by day with zoneinfo, so a
09:00 start stays 09:00 across a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.availability import WindowSpec

Interval = tuple[datetime, datetime]


def working_intervals(
    windows: Iterable[WindowSpec],
    zone_name: str,
    unavailable: Iterable[Interval],
    start: datetime,
    end: datetime,
) -> list[Interval]:
    """UTC intervals of working time within [start, end), time off removed."""
    zone = ZoneInfo(zone_name)
    windows = list(windows)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    spans: list[Interval] = []
    day = first
    while day <= last:
        for window in windows:
            if window.weekday != day.weekday():
                continue
            span = _window_on(window, day, zone)
            a, b = max(span[0], start), min(span[1], end)
            if a < b:
                spans.append((a, b))
        day += timedelta(days=1)
    spans.sort()
    return _subtract(spans, sorted(unavailable))


def _window_on(window: WindowSpec, day: date, zone: ZoneInfo) -> Interval:
    end_day = day + timedelta(days=1) if window.ends_next_day else day
    return (
        datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC),
        datetime.combine(end_day, window.end, tzinfo=zone).astimezone(UTC),
    )


def _subtract(spans: list[Interval], holes: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in spans:
        pieces = [(a, b)]
        for h0, h1 in holes:
            pieces = [
                piece
                for p0, p1 in pieces
                for piece in ((p0, min(p1, h0)), (max(p0, h1), p1))
                if piece[0] < piece[1]
            ]
        out += pieces
    return out


def minutes_until_working(intervals: list[Interval], now: datetime) -> int | None:
    """0 when working now, else minutes to the next working moment; None when none is known."""
    starts = []
    for a, b in intervals:
        if a <= now < b:
            return 0
        if a > now:
            starts.append(a)
    if not starts:
        return None
    seconds = (min(starts) - now).total_seconds()
    return int(-(-seconds // 60))  # rounded up: "in 0 min" would read as working now


def working_seconds(intervals: list[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals)
