"""Reads: a person's duties and memberships, and what they are told about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.selectors import unavailable_intervals_for
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Membership,
    PlanRun,
    PlanRunStatus,
    Rota,
    Shift,
    SwapRequest,
    SwapStatus,
)
from rota.rotas.selectors.swaps import shift_overlaps


@dataclass(frozen=True)
class DutyView:
    assignment: Assignment
    others: list[Assignment]
    open_swap: SwapRequest | None
    started: bool
    # The person has time off during the duty: it stayed theirs because it is inside the
    # freeze window (or was swapped to them), so they need to find someone themselves.
    off_during: bool = False
    # What the time off is (its note, the holiday's name) and why the duty stayed.
    off_names: tuple[str, ...] = ()
    kept_because: str = ""

    @property
    def shift(self) -> Shift:
        return self.assignment.shift


def duties_for_person(user: User, now: datetime, past_weeks: int = 6) -> dict[str, list[DutyView]]:
    """A person's active duties: upcoming (running or future) and recent (ended lately)."""
    assignments = list(
        Assignment.objects.active()
        .filter(person=user, shift__ends_at__gt=now - timedelta(weeks=past_weeks))
        .select_related("shift", "shift__rota")
        .prefetch_related(
            Prefetch(
                "shift__assignments",
                queryset=Assignment.objects.active().select_related("person"),
                to_attr="active_assignments",
            ),
            Prefetch(
                "swaps",
                queryset=SwapRequest.objects.filter(status=SwapStatus.OPEN).select_related(
                    "target"
                ),
                to_attr="open_swaps",
            ),
        )
        .order_by("shift__starts_at")
    )
    future = [a.shift for a in assignments if a.shift.ends_at > now]
    off = (
        unavailable_intervals_for(
            user, min(s.starts_at for s in future), max(s.ends_at for s in future)
        )
        if future
        else []
    )
    named = (
        days_off_named_for(user, min(s.starts_at for s in future), max(s.ends_at for s in future))
        if off
        else []
    )
    upcoming, recent = [], []
    for a in assignments:
        others = [o for o in a.shift.active_assignments if o.person_id != user.pk]
        off_during = a.shift.ends_at > now and shift_overlaps(a.shift, off)
        view = DutyView(
            a,
            others,
            a.open_swaps[0] if a.open_swaps else None,
            a.shift.starts_at <= now,
            off_during=off_during,
            off_names=tuple(
                dict.fromkeys(
                    d.name for d in named if d.start < a.shift.ends_at and a.shift.starts_at < d.end
                )
            )
            if off_during
            else (),
            kept_because=duty_kept_despite_time_off_because(a, now) if off_during else "",
        )
        (upcoming if a.shift.ends_at > now else recent).append(view)
    recent.reverse()
    return {"upcoming": upcoming, "recent": recent}


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("rota").order_by("rota__name")


def rotas_joinable() -> QuerySet[Rota]:
    return Rota.objects.filter(is_public=True).order_by("name")


def membership_of(user: User, membership_id: int) -> Membership | None:
    """One of this person's memberships, with its rota; None for anyone else's."""
    return Membership.objects.select_related("rota").filter(pk=membership_id, user=user).first()


@dataclass(frozen=True)
class FirstDutyOutlook:
    """A rota someone is in without an upcoming duty: whether it has been planned since they
    joined, and from when a new duty is likely (seats inside the freeze window are kept)."""

    membership: Membership
    planned_since_joining: bool
    likely_from: datetime


def first_duty_outlook_for(user: User, now: datetime) -> list[FirstDutyOutlook]:
    """The person's active memberships with no upcoming duty in their rota."""
    with_duty = set(
        Assignment.objects.active()
        .filter(person=user, shift__ends_at__gt=now)
        .values_list("shift__rota_id", flat=True)
    )
    outlook = []
    for membership in memberships_of(user).filter(paused=False).exclude(rota_id__in=with_duty):
        planned = PlanRun.objects.filter(
            rota_id=membership.rota_id,
            status=PlanRunStatus.APPLIED,
            started_at__gte=membership.joined_at,
        ).exists()
        likely_from = now + timedelta(weeks=membership.rota.freeze_weeks)
        outlook.append(FirstDutyOutlook(membership, planned, likely_from))
    return outlook


@dataclass(frozen=True)
class DayOff:
    """A stretch of a person's time off or a public holiday, named as they would name it."""

    start: datetime
    end: datetime
    name: str


def days_off_named_for(user: User, start: datetime, end: datetime) -> list[DayOff]:
    """The person's time off (with its note) and counted public holidays (with the holiday's
    name) that touch [start, end), as UTC intervals of their local days."""
    from zoneinfo import ZoneInfo

    from accounts.availability import day_bounds_utc, public_holidays

    zone = ZoneInfo(user.time_zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    found = []
    for entry in user.time_off.filter(end__gte=first, start__lte=last):
        name = f"your time off{f' ({entry.note})' if entry.note else ''}"
        found.append(
            DayOff(day_bounds_utc(entry.start, zone)[0], day_bounds_utc(entry.end, zone)[1], name)
        )
    if user.count_public_holidays and user.country:
        for day, holiday in public_holidays(user.country, first, last):
            found.append(DayOff(*day_bounds_utc(day, zone), f"{holiday}, a public holiday"))
    return sorted(
        (d for d in found if d.start < end and start < d.end), key=lambda d: (d.start, d.name)
    )


def duty_kept_despite_time_off_because(assignment: Assignment, now: datetime) -> str:
    """Why a duty during the person's time off is still theirs, in their words."""
    rota = assignment.shift.rota
    if assignment.source == AssignmentSource.SWAPPED:
        return "you took it in a swap, and swaps are never re-planned"
    if assignment.source == AssignmentSource.OVERRIDDEN:
        return "a manager of the rota gave it to you, and their choices are never re-planned"
    if assignment.shift.starts_at < now + timedelta(weeks=rota.freeze_weeks):
        weeks = rota.freeze_weeks
        return (
            f"it starts within {rota.name}'s freeze window ({weeks} week{'s' * (weeks != 1)}),"
            " where duties no longer move"
        )
    share = round(rota.min_available_fraction * 100)
    return (
        f"you are free for at least {share}% of your working time in it, so {rota.name} still"
        " counts you as available"
    )
