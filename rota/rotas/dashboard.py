"""Reads for the release managers' dashboard: upcoming duty, releases, gaps, swaps, conflicts.

Everything is read for all the manager's rotas at once, in a number of queries that does not
grow with the number of people or shifts (the dashboard of a 1,000-person rota included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.selectors import availability_for_users
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    ManagerAction,
    PlanRun,
    PlanRunStatus,
    Release,
    Rota,
    RotaKind,
    Shift,
    SwapRequest,
    SwapStatus,
)
from rota.rotas.selectors import shift_overlaps, shifts_with_people

DEFAULT_WEEKS = 12
RECENT_ACTIONS = 20


def rotas_managed_by(user: User | AnonymousUser) -> QuerySet[Rota]:
    if not user.is_authenticated:
        return Rota.objects.none()
    if user.is_staff:
        return Rota.objects.all()
    return Rota.objects.filter(managers=user)


def user_is_manager(user: User | AnonymousUser) -> bool:
    return rotas_managed_by(user).exists()


def rota_managed_or_deny(user: User | AnonymousUser, slug: str) -> Rota:
    """The rota if this person manages it. Anyone who manages no rota at all, or not this
    one, gets PermissionDenied; a manager asking for a rota that does not exist, Http404."""
    managed = rotas_managed_by(user)
    rota = managed.filter(slug=slug).first()
    if rota is not None:
        return rota
    if managed.exists() and not Rota.objects.filter(slug=slug).exists():
        raise Http404("No such rota.")
    raise PermissionDenied("Only this rota's managers may do this.")


@dataclass(frozen=True)
class SeatLine:
    assignment: Assignment
    on_time_off: bool

    @property
    def overridden(self) -> bool:
        return self.assignment.source == AssignmentSource.OVERRIDDEN


@dataclass(frozen=True)
class WeekLine:
    shift: Shift
    seats: list[SeatLine]
    minimum: int

    @property
    def covered(self) -> int:
        return len(self.shift.covered_hours or [])

    @property
    def under_minimum(self) -> bool:
        return self.minimum > 0 and self.covered < self.minimum

    @property
    def unfilled(self) -> list[dict[str, str]]:
        return list(self.shift.unfilled or [])


@dataclass(frozen=True)
class ReleaseLine:
    release: Release
    lead: Assignment | None
    shadow: Assignment | None
    lead_has_shadowed: bool


@dataclass
class RotaOverview:
    rota: Rota
    weeks: list[WeekLine] = field(default_factory=list)
    releases: list[ReleaseLine] = field(default_factory=list)
    open_swaps: list[SwapRequest] = field(default_factory=list)
    latest_run: PlanRun | None = None
    awaiting_run: PlanRun | None = None
    actions: list[ManagerAction] = field(default_factory=list)

    @property
    def gaps(self) -> list[WeekLine]:
        return [w for w in self.weeks if w.unfilled or w.under_minimum]

    @property
    def conflicts(self) -> list[tuple[WeekLine, SeatLine]]:
        return [(w, s) for w in self.weeks for s in w.seats if s.on_time_off]

    @property
    def problems(self) -> list[dict[str, Any]]:
        return list(self.latest_run.problems) if self.latest_run else []


def dashboard_for(user: User, now: datetime, weeks: int = DEFAULT_WEEKS) -> list[RotaOverview]:
    """Every rota this person manages, from now to `weeks` ahead."""
    rotas = list(rotas_managed_by(user).order_by("name"))
    if not rotas:
        return []
    until = now + timedelta(weeks=weeks)
    by_rota = {rota.pk: RotaOverview(rota) for rota in rotas}
    shifts = list(
        shifts_with_people(
            Shift.objects.filter(rota__in=rotas, ends_at__gt=now, starts_at__lt=until)
        )
    )
    people = {a.person_id for s in shifts for a in s.active_assignments}
    availability = availability_for_users(people, now, until) if people else {}
    for shift in shifts:
        overview = by_rota[shift.rota_id]
        seats = [
            SeatLine(
                a,
                shift_overlaps(shift, availability[a.person_id].unavailable)
                if a.person_id in availability
                else False,
            )
            for a in shift.active_assignments
        ]
        overview.weeks.append(WeekLine(shift, seats, overview.rota.min_coverage_hours))
    _releases_into(by_rota, shifts)
    for swap in (
        SwapRequest.objects.filter(
            status=SwapStatus.OPEN,
            assignment__shift__rota__in=rotas,
            assignment__shift__starts_at__gt=now,
        )
        .select_related("assignment__shift", "requester", "target")
        .order_by("assignment__shift__starts_at")
    ):
        by_rota[swap.assignment.shift.rota_id].open_swaps.append(swap)
    for overview in by_rota.values():
        runs = list(
            PlanRun.objects.filter(rota=overview.rota)
            .exclude(status=PlanRunStatus.DRY_RUN)
            .order_by("-started_at", "-pk")[:10]
        )
        overview.latest_run = next((r for r in runs if r.status == PlanRunStatus.APPLIED), None)
        if runs and runs[0].status == PlanRunStatus.AWAITING:
            overview.awaiting_run = runs[0]
        overview.actions = list(
            ManagerAction.objects.filter(rota=overview.rota)
            .select_related("actor")
            .order_by("-created_at", "-pk")[:RECENT_ACTIONS]
        )
    return list(by_rota.values())


def _releases_into(by_rota: dict[int, RotaOverview], shifts: list[Shift]) -> None:
    """Each upcoming release with its lead and shadow, and whether the lead has shadowed a
    release of the rota before (a lead who never shadowed is worth a second look)."""
    release_shifts = [
        s for s in shifts if s.release_id and by_rota[s.rota_id].rota.kind == RotaKind.RELEASE
    ]
    leads = {a.person_id for s in release_shifts for a in s.active_assignments if a.role == "lead"}
    shadowed: set[tuple[int, int]] = set(
        Assignment.objects.active()
        .filter(
            person_id__in=leads,
            role="shadow",
            shift__rota__in=[s.rota_id for s in release_shifts],
        )
        .values_list("person_id", "shift__rota_id")
        .distinct()
    )
    for shift in release_shifts:
        seats = {a.role: a for a in shift.active_assignments}
        lead = seats.get("lead")
        by_rota[shift.rota_id].releases.append(
            ReleaseLine(
                shift.release,  # type: ignore[arg-type]
                lead,
                seats.get("shadow"),
                lead is not None and (lead.person_id, shift.rota_id) in shadowed,
            )
        )


def weeks_from_request(raw: str | None, *, default: int = DEFAULT_WEEKS, most: int = 156) -> int:
    """A period in weeks from a query string: bad or absent values give the default."""
    try:
        value = int(raw or default)
    except (TypeError, ValueError):
        return default
    return min(max(value, 1), most)
