"""Reads about people: their availability as UTC intervals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.availability import WindowSpec, days_off_to_utc, public_holidays
from accounts.models import TimeOff, User


def working_windows_for(user: User) -> list[WindowSpec]:
    return [window.spec for window in user.working_hours.all()]


def time_off_ranges_for(user: User, start: datetime, end: datetime) -> list[tuple[date, date]]:
    """Time off and (when chosen) public holidays as inclusive local date ranges."""
    zone = ZoneInfo(user.time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    ranges = [
        (t.start, t.end)
        for t in _prefetched_or_query(user, first, last)
        if t.end >= first and t.start <= last
    ]
    if user.count_public_holidays and user.country:
        ranges += [(day, day) for day, _name in public_holidays(user.country, first, last)]
    return ranges


def _prefetched_or_query(user: User, first: date, last: date) -> Iterable[TimeOff]:
    cache = getattr(user, "_prefetched_objects_cache", {})
    if "time_off" in cache:
        return cache["time_off"]
    return user.time_off.filter(end__gte=first, start__lte=last)


def unavailable_intervals_for(
    user: User, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Merged UTC intervals in which the person is off (time off and public holidays)."""
    return days_off_to_utc(time_off_ranges_for(user, start, end), user.time_zone)


def user_local_now(user: User, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(user.time_zone))


def time_off_upcoming_for(user: User, today: date) -> list[TimeOff]:
    return list(user.time_off.filter(end__gte=today).order_by("start"))


def country_zones_map() -> dict[str, list[str]]:
    """Country code -> its IANA zones, for the sign-up and profile pages' zone picker."""
    from accounts.validators import country_choices, zones_for_country

    return {code: zones_for_country(code) for code, _name in country_choices()}
