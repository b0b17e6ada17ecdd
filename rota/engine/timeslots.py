"""Wall-clock time: turning local handoff times into UTC slots.

Slots are built from calendar dates and a local wall-clock time, then converted with
`zoneinfo`; a week is "the same local time seven calendar days later", never 604,800 seconds.

The one rule for wall-clock times that do not exist once (`local_to_utc`):

* **gap** (clocks jump forward, e.g. 02:30 on the night Berlin springs forward): the time
  means the first valid instant after the gap, i.e. the moment the clocks jumped
  (03:00 CEST in Berlin).
* **overlap** (clocks fall back, e.g. 02:30 on the night Berlin falls back): the time means
  its first occurrence (`fold=0`, still summer time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from rota.engine.model import Slot


@lru_cache(maxsize=512)
def zone_info(zone: str) -> ZoneInfo:
    """The `ZoneInfo` for an IANA name; raises `ZoneInfoNotFoundError` (a `KeyError`)."""
    return ZoneInfo(zone)


@lru_cache(maxsize=65536)
def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of the local wall-clock time `at` on `day` in `zone`.

    Gap: the first valid instant after the gap. Overlap: the first occurrence.
    """
    tz = zone_info(zone)
    wall = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # A gap: fold=0 reads the wall time with the offset before the jump, fold=1 with the
    # offset after it; the jump itself lies between the two readings. Find it to the second.
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    low, high = min(first, second), max(first, second)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) < wall:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def utc_to_local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(zone_info(zone)).date()


def weekly_slots(
    rota: str,
    weekday: int,
    handoff: time,
    zone: str,
    start: datetime,
    end: datetime,
    roles: tuple[str, ...],
    weeks: int = 1,
) -> tuple[Slot, ...]:
    """Slots handing off every `weeks` weeks on `weekday` at `handoff` local time in `zone`.

    The first slot starts at the first handoff at or after `start`; slots are made while their
    start is before `end`. A slot's id is `"<rota>:<local start date>"`, so it stays the same
    however the horizon moves.
    """
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0..6, not {weekday}")
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    day = utc_to_local_date(start, zone)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    if local_to_utc(day, handoff, zone) < start:
        day += timedelta(days=7)
    slots: list[Slot] = []
    while True:
        slot_start = local_to_utc(day, handoff, zone)
        if slot_start >= end:
            break
        following = day + timedelta(weeks=weeks)
        slots.append(
            Slot(
                id=f"{rota}:{day.isoformat()}",
                rota=rota,
                start=slot_start,
                end=local_to_utc(following, handoff, zone),
                roles=roles,
            )
        )
        day = following
    return tuple(slots)


def cadence_dates(first: date, every_weeks: int, until: date) -> tuple[date, ...]:
    """`first`, then every `every_weeks` weeks, up to and including `until`."""
    if every_weeks < 1:
        raise ValueError(f"every_weeks must be at least 1, not {every_weeks}")
    dates: list[date] = []
    day = first
    while day <= until:
        dates.append(day)
        day += timedelta(weeks=every_weeks)
    return tuple(dates)


def release_slot(
    rota: str,
    version: str,
    release_day: date,
    window_days: int,
    handoff: time,
    zone: str,
    roles: tuple[str, ...],
) -> Slot:
    """The duty window of `window_days` days ending at the release day's handoff time.

    The id is `"<rota>:<version>"`: when the release date moves, the slot keeps its id and a
    re-plan can keep its people.
    """
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, not {window_days}")
    return Slot(
        id=f"{rota}:{version}",
        rota=rota,
        start=local_to_utc(release_day - timedelta(days=window_days), handoff, zone),
        end=local_to_utc(release_day, handoff, zone),
        roles=roles,
    )
