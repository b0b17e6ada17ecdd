"""Reads about people: their availability as UTC intervals."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from accounts.availability import WindowSpec, days_off_to_utc, public_holidays
from accounts.models import ApiToken, TimeOff, User, WorkingHours


def working_windows_for(user: User) -> list[WindowSpec]:
    return [window.spec for window in user.working_hours.all()]


def _local_bounds(zone_name: str, start: datetime, end: datetime) -> tuple[date, date]:
    """The local dates that can touch [start, end), with a day's margin on each side."""
    zone = ZoneInfo(zone_name)
    return (
        start.astimezone(zone).date() - timedelta(days=1),
        end.astimezone(zone).date() + timedelta(days=1),
    )


def _off_ranges(
    time_off: Iterable[tuple[date, date]],
    country: str,
    count_public_holidays: bool,
    first: date,
    last: date,
) -> list[tuple[date, date]]:
    # Clipped to the dates asked about: an entry running to the end of the calendar must never
    # reach date arithmetic (a day added to 9999-12-31 overflows).
    ranges = [(max(a, first), min(b, last)) for a, b in time_off if b >= first and a <= last]
    if count_public_holidays and country:
        ranges += [(day, day) for day, _name in public_holidays(country, first, last)]
    return ranges


def time_off_ranges_for(user: User, start: datetime, end: datetime) -> list[tuple[date, date]]:
    """Time off and (when chosen) public holidays as inclusive local date ranges."""
    first, last = _local_bounds(user.time_zone, start, end)
    time_off = user.time_off.filter(end__gte=first, start__lte=last).values_list("start", "end")
    return _off_ranges(time_off, user.country, user.count_public_holidays, first, last)


def unavailable_intervals_for(
    user: User, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Merged UTC intervals in which the person is off (time off and public holidays)."""
    return days_off_to_utc(time_off_ranges_for(user, start, end), user.time_zone)


@dataclass(frozen=True)
class PersonAvailability:
    """What planning needs of one person, read for many people in three queries."""

    user_id: int
    time_zone: str
    organisation: str
    windows: tuple[WindowSpec, ...]
    unavailable: tuple[tuple[datetime, datetime], ...]  # merged UTC intervals
    # Why this person's availability could not be read (their data is broken); planning
    # leaves such a person out and names them, instead of failing for everyone.
    problem: str = ""


def availability_for_users(
    user_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, PersonAvailability]:
    """Zone, organisation, working windows and UTC time off of many people at once.

    Plain rows instead of model instances: planning a community of a thousand reads this on
    every run, and building a model object per working-hour window cost more than planning.
    """
    ids = set(user_ids)
    windows: dict[int, list[WindowSpec]] = defaultdict(list)
    for user_id, *window in WorkingHours.objects.filter(user_id__in=ids).values_list(
        "user_id", "weekday", "start", "end", "ends_next_day"
    ):
        windows[user_id].append(WindowSpec(*window))
    margin = timedelta(days=2)  # any zone's local dates lie within a day of UTC's
    time_off: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for user_id, first, last in TimeOff.objects.filter(
        user_id__in=ids, end__gte=(start - margin).date(), start__lte=(end + margin).date()
    ).values_list("user_id", "start", "end"):
        time_off[user_id].append((first, last))
    found = {}
    for user_id, zone, organisation, country, holidays in User.objects.filter(
        pk__in=ids
    ).values_list("pk", "time_zone", "organisation", "country", "count_public_holidays"):
        try:
            first, last = _local_bounds(zone, start, end)
            ranges = _off_ranges(time_off.get(user_id, []), country, holidays, first, last)
            unavailable = tuple(days_off_to_utc(ranges, zone))
        except (ValueError, OverflowError, LookupError) as exc:  # ZoneInfoNotFoundError too
            found[user_id] = PersonAvailability(
                user_id, zone, organisation, (), (), problem=f"{type(exc).__name__}: {exc}"
            )
            continue
        found[user_id] = PersonAvailability(
            user_id=user_id,
            time_zone=zone,
            organisation=organisation,
            windows=tuple(sorted(windows.get(user_id, []))),
            unavailable=unavailable,
        )
    return found


def user_local_now(user: User, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(user.time_zone))


def time_off_upcoming_for(user: User, today: date) -> list[TimeOff]:
    return list(user.time_off.filter(end__gte=today).order_by("start"))


def country_zones_map() -> dict[str, list[str]]:
    """Country code -> its IANA zones, for the sign-up and profile pages' zone picker."""
    from accounts.validators import country_choices, zones_for_country

    return {code: zones_for_country(code) for code, _name in country_choices()}


def api_token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def api_token_find(plain: str) -> ApiToken | None:
    """The active token with this value, with its (active) person; None otherwise."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_digest(plain), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_tokens_for(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")
