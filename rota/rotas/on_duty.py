"""Reads for tools that ask "who is on duty?": the shifts running now and the next ones, with
each person's local time and whether they are inside their working hours; a rota's shifts
between two instants; its releases with lead and shadow.

People are named as the viewer may see them (rota_viewer_knows_people): members, managers and
staff see names and zones, anyone else only chosen display names, and no zone, local time or
working hours, as on the rota page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from accounts.availability import windows_contain
from accounts.models import User
from accounts.selectors import availability_for_users
from rota.read_cache import read_cached
from rota.rotas.models import Assignment, Release, Rota, Shift
from rota.rotas.selectors import person_label_for, rota_viewer_knows_people

logger = logging.getLogger(__name__)

# The most a caller may ask for in one range of shifts: a rota's horizon is at most 156 weeks.
SHIFTS_RANGE_MOST = timedelta(weeks=160)


def _active_assignments() -> Prefetch[Assignment]:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.active().select_related("person").order_by("role", "pk"),
        to_attr="active_assignments",
    )


@dataclass(frozen=True)
class SeatNow:
    person_id: int
    name: str
    role: str
    source: str
    # Only for viewers who know the rota's people; None otherwise.
    time_zone: str | None
    local_time: datetime | None
    in_working_hours: bool | None
    on_time_off: bool | None


@dataclass(frozen=True)
class ShiftNow:
    shift: Shift
    seats: list[SeatNow]


@dataclass(frozen=True)
class RotaOnDuty:
    rota: Rota
    at: datetime
    knows_people: bool
    now: list[ShiftNow]
    next: list[ShiftNow]


def rota_on_duty(
    rota: Rota,
    viewer: User | AnonymousUser,
    at: datetime,
    *,
    knows_people: bool | None = None,
) -> RotaOnDuty:
    """Who is on duty at `at` (a release rota may run more than one shift) and in the next
    shift(s) to start, in a number of queries that does not grow with the people."""
    if knows_people is None:
        knows_people = rota_viewer_knows_people(viewer, rota)
    running = list(
        Shift.objects.filter(rota=rota, starts_at__lte=at, ends_at__gt=at)
        .select_related("release")
        .prefetch_related(_active_assignments())
        .order_by("starts_at", "pk")
    )
    first_next = (
        Shift.objects.filter(rota=rota, starts_at__gt=at)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    upcoming = (
        list(
            Shift.objects.filter(rota=rota, starts_at=first_next)
            .select_related("release")
            .prefetch_related(_active_assignments())
            .order_by("pk")
        )
        if first_next is not None
        else []
    )
    people = {a.person_id for s in running + upcoming for a in s.active_assignments}
    availability = (
        availability_for_users(people, at, at + timedelta(minutes=1))
        if knows_people and people
        else {}
    )

    def seat(a: Assignment) -> SeatNow:
        found = availability.get(a.person_id)
        if not knows_people or found is None or found.problem:
            return SeatNow(
                a.person_id,
                person_label_for(a.person, knows_people=knows_people),
                a.role,
                a.source,
                a.person.time_zone if knows_people else None,
                None,
                None,
                None,
            )
        local = at.astimezone(ZoneInfo(found.time_zone))
        return SeatNow(
            a.person_id,
            person_label_for(a.person, knows_people=True),
            a.role,
            a.source,
            found.time_zone,
            local,
            windows_contain(found.windows, local),
            any(start <= at < end for start, end in found.unavailable),
        )

    return RotaOnDuty(
        rota,
        at,
        knows_people,
        [ShiftNow(s, [seat(a) for a in s.active_assignments]) for s in running],
        [ShiftNow(s, [seat(a) for a in s.active_assignments]) for s in upcoming],
    )


def rota_shifts_between(rota: Rota, start: datetime, end: datetime) -> QuerySet[Shift]:
    """The rota's shifts that overlap [start, end), with their people, oldest first."""
    return (
        Shift.objects.filter(rota=rota, ends_at__gt=start, starts_at__lt=end)
        .select_related("release")
        .prefetch_related(_active_assignments())
        .order_by("starts_at", "pk")
    )


def rota_releases(rota: Rota) -> QuerySet[Release]:
    """The rota's releases by date, each with its duty's shift and people (lead, shadow)."""
    return (
        Release.objects.filter(rota=rota)
        .select_related("shift")
        .prefetch_related(
            Prefetch(
                "shift__assignments",
                queryset=Assignment.objects.active().select_related("person").order_by("pk"),
                to_attr="active_assignments",
            )
        )
        .order_by("date", "pk")
    )


def release_seats(release: Release) -> dict[str, Assignment]:
    """role -> the assignment holding it, for a release read by rota_releases."""
    shift = getattr(release, "shift", None)
    if shift is None:
        return {}
    return {a.role: a for a in getattr(shift, "active_assignments", [])}


# "Who is on duty now?" is what bots poll, often every minute from many places. The answer
# changes with the plan (plan_version), with what the viewer may see, and with the clock (local
# times, working hours): so it is kept per rota, plan version, kind of viewer and minute. A
# change of someone's time off or working hours that moves no duty shows within the minute.
ON_DUTY_CACHE_SECONDS = 120


def rota_on_duty_answer(
    rota: Rota,
    viewer: User | AnonymousUser,
    at: datetime,
    render: Callable[[RotaOnDuty], dict[str, Any]],
    *,
    knows_people: bool,
) -> dict[str, Any]:
    """rota_on_duty at the start of `at`'s minute, rendered by `render`, through the cache
    (read from the database when the cache is down), and remembered for a moment in this
    process (rota.read_cache) since every caller of that minute gets the same answer.
    `knows_people` as found by rota_and_knowledge_for_viewer."""
    minute = at.replace(second=0, microsecond=0)
    key = (
        f"on-duty:{rota.pk}:{rota.plan_version}:{int(knows_people)}:{minute:%Y%m%d%H%M}"
        f":{rota.handoff_zone}"
    )
    return read_cached(
        key, lambda: _on_duty_shared(key, rota, viewer, minute, render, knows_people)
    )


def _on_duty_shared(
    key: str,
    rota: Rota,
    viewer: User | AnonymousUser,
    minute: datetime,
    render: Callable[[RotaOnDuty], dict[str, Any]],
    knows_people: bool,
) -> dict[str, Any]:
    try:
        found = cache.get(key)
    except Exception:  # a cache that is down: answer from the database
        logger.warning("on-duty cache unavailable for rota %s", rota.pk, exc_info=True)
        return render(rota_on_duty(rota, viewer, minute, knows_people=knows_people))
    if found is not None:
        return found  # type: ignore[no-any-return]
    answer = render(rota_on_duty(rota, viewer, minute, knows_people=knows_people))
    try:
        cache.set(key, answer, ON_DUTY_CACHE_SECONDS)
    except Exception:
        logger.warning("on-duty cache unavailable for rota %s", rota.pk, exc_info=True)
    return answer
