"""Who can work when: a person's normal working time inside a slot, and time off against it.

Many people share a zone and the same working hours, so working time is computed once per
(zone, windows, slot) and shared. Coverage is a 24-bit mask of UTC hours of the day: bit `h`
is set when the working time covers at least 30 minutes of UTC hour `h` on some day of the slot.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rota.engine.model import Interval, Window
from rota.engine.timeslots import local_to_utc, utc_to_local_date, zone_info

HOUR = timedelta(hours=1)
HALF_HOUR = timedelta(minutes=30)
FULL_DAY_MASK = (1 << 24) - 1
#: shapes are stored relative to this instant (any fixed UTC instant would do)
EPOCH_SHAPE = datetime(2000, 1, 1, tzinfo=UTC)

WorkKey = tuple[str, tuple[Window, ...]]
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class WorkingTime:
    """A person's normal working time inside one slot, in UTC."""

    spans: tuple[Span, ...]
    seconds: float
    hours_mask: int
    #: the spans as POSIX timestamps, for fast overlap sums
    stamps: tuple[tuple[float, float], ...] = ()


def _with_stamps(spans: tuple[Span, ...], seconds: float, mask: int) -> WorkingTime:
    stamps = tuple((a.timestamp(), b.timestamp()) for a, b in spans)
    return WorkingTime(spans=spans, seconds=seconds, hours_mask=mask, stamps=stamps)


def merge_spans(spans: list[Span]) -> list[Span]:
    spans = sorted(s for s in spans if s[1] > s[0])
    merged: list[Span] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def hours_mask(spans: tuple[Span, ...] | list[Span]) -> int:
    mask = 0
    for start, end in spans:
        hour = start.replace(minute=0, second=0, microsecond=0)
        while hour < end:
            covered = min(end, hour + HOUR) - max(start, hour)
            if covered >= HALF_HOUR:
                mask |= 1 << hour.hour
            hour += HOUR
    return mask


def popcount(mask: int) -> int:
    return mask.bit_count()


class WorkingTimes:
    """A cache of `WorkingTime` per (zone, windows, slot bounds).

    Weekly slots repeat: when the person's UTC offset is the same all through two slots that
    start at the same local weekday and time and last as long, their working time has the same
    shape, shifted. So the wall-clock expansion runs once per shape, not once per slot.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[WorkKey, datetime, datetime], WorkingTime] = {}
        self._shapes: dict[tuple[object, ...], WorkingTime] = {}
        self._frames: dict[tuple[str, datetime, datetime], tuple[object, ...] | None] = {}

    def within(self, key: WorkKey, start: datetime, end: datetime) -> WorkingTime:
        cache_key = (key, start, end)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._shaped(key, start, end)
            self._cache[cache_key] = found
        return found

    def summary(self, key: WorkKey, start: datetime, end: datetime) -> tuple[bool, int]:
        """(any working time inside the slot, UTC hours mask), without building the spans."""
        frame = self._frame(key[0], start, end)
        if frame is None:
            found = self.within(key, start, end)
        else:
            found = self._shape((key, *frame), key, start, end)
        return found.seconds > 0, found.hours_mask

    def _shape(
        self, shape_key: tuple[object, ...], key: WorkKey, start: datetime, end: datetime
    ) -> WorkingTime:
        shape = self._shapes.get(shape_key)
        if shape is None:
            shape = self._compute(key, start, end)
            shape = WorkingTime(
                spans=tuple(
                    (a - start + EPOCH_SHAPE, b - start + EPOCH_SHAPE) for a, b in shape.spans
                ),
                seconds=shape.seconds,
                hours_mask=shape.hours_mask,
            )
            self._shapes[shape_key] = shape
        return shape

    def _shaped(self, key: WorkKey, start: datetime, end: datetime) -> WorkingTime:
        frame = self._frame(key[0], start, end)
        if frame is None:
            # The offset changes inside the slot: expand the wall clock for this slot alone.
            return self._compute(key, start, end)
        shape = self._shape((key, *frame), key, start, end)
        return _with_stamps(
            tuple((a - EPOCH_SHAPE + start, b - EPOCH_SHAPE + start) for a, b in shape.spans),
            shape.seconds,
            shape.hours_mask,
        )

    def _frame(self, zone: str, start: datetime, end: datetime) -> tuple[object, ...] | None:
        """(local weekday, local time, length, offset) of a slot, or None when the zone's
        offset changes inside it."""
        frame_key = (zone, start, end)
        if frame_key in self._frames:
            return self._frames[frame_key]
        tz = zone_info(zone)
        offsets = {start.astimezone(tz).utcoffset(), end.astimezone(tz).utcoffset()}
        moment = start + timedelta(hours=12)
        while moment < end and len(offsets) == 1:
            offsets.add(moment.astimezone(tz).utcoffset())
            moment += timedelta(hours=12)
        frame: tuple[object, ...] | None = None
        if len(offsets) == 1:
            local = start.astimezone(tz)
            frame = (local.weekday(), local.time(), end - start, offsets.pop())
        self._frames[frame_key] = frame
        return frame

    @staticmethod
    def _compute(key: WorkKey, start: datetime, end: datetime) -> WorkingTime:
        zone, windows = key
        by_weekday: dict[int, list[Window]] = {}
        for window in windows:
            by_weekday.setdefault(window.weekday, []).append(window)
        spans: list[Span] = []
        # Start a day early: an overnight window from the day before may reach into the slot.
        day = utc_to_local_date(start, zone) - timedelta(days=1)
        last = utc_to_local_date(end, zone)
        while day <= last:
            for window in by_weekday.get(day.weekday(), ()):
                opens = local_to_utc(day, window.start, zone)
                end_day = day + timedelta(days=1) if window.end <= window.start else day
                closes = local_to_utc(end_day, window.end, zone)
                clipped = (max(opens, start), min(closes, end))
                if clipped[1] > clipped[0]:
                    spans.append(clipped)
            day += timedelta(days=1)
        merged = tuple(merge_spans(spans))
        seconds = sum((b - a).total_seconds() for a, b in merged)
        return _with_stamps(merged, seconds, hours_mask(merged))


class TimeOff:
    """One person's unavailable intervals, merged and sorted for fast overlap queries."""

    def __init__(self, intervals: tuple[Interval, ...]) -> None:
        self.spans = merge_spans([(i.start, i.end) for i in intervals])
        self._ends = [end for _, end in self.spans]
        self._stamps = [(a.timestamp(), b.timestamp()) for a, b in self.spans]
        self._stamp_ends = [b for _, b in self._stamps]

    def overlapping(self, start: datetime, end: datetime) -> list[Span]:
        found: list[Span] = []
        index = bisect_left(self._ends, start)
        while index < len(self.spans) and self.spans[index][0] < end:
            if self.spans[index][1] > start:
                found.append(self.spans[index])
            index += 1
        return found

    def free_fraction(self, working: WorkingTime) -> float:
        """The share of `working` not covered by time off (1.0 when no time off touches it)."""
        if working.seconds <= 0 or not working.stamps:
            return 0.0
        stamps = self._stamps
        first, last = working.stamps[0][0], working.stamps[-1][1]
        index = bisect_right(self._stamp_ends, first)
        blocked = 0.0
        while index < len(stamps) and stamps[index][0] < last:
            off_start, off_end = stamps[index]
            for work_start, work_end in working.stamps:
                overlap = min(work_end, off_end) - max(work_start, off_start)
                if overlap > 0:
                    blocked += overlap
            index += 1
        return max(0.0, 1.0 - blocked / working.seconds)
