"""Reads: a rota's schedule and coverage as pages show it, and who is on duty now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Rota,
    Shift,
)
from rota.rotas.selectors.visibility import (
    person_label_for,
    rota_ids_known_by,
    rota_viewer_knows_people,
    rotas_visible_to,
)


@dataclass(frozen=True)
class CoverageCell:
    hour: int
    covered: bool


@dataclass(frozen=True)
class SeatView:
    label: str
    role: str
    time_zone: str | None  # None when the viewer may not see it
    swapped: bool
    overridden: bool = False


@dataclass(frozen=True)
class ShiftView:
    shift: Shift
    assignments: list[Assignment]
    is_now: bool
    knows_people: bool = False

    @property
    def seats(self) -> list[SeatView]:
        return [
            SeatView(
                person_label_for(a.person, knows_people=self.knows_people),
                a.role,
                a.person.time_zone if self.knows_people else None,
                a.source == AssignmentSource.SWAPPED,
                a.source == AssignmentSource.OVERRIDDEN,
            )
            for a in self.assignments
        ]

    @property
    def cells(self) -> list[CoverageCell]:
        hours = set(self.shift.covered_hours or [])
        return [CoverageCell(hour, hour in hours) for hour in range(24)]

    @property
    def hours_bar(self) -> SafeString:
        """The 24 cells of the coverage bar, built here: as a template loop they were most
        of the rota page's rendering time."""
        return hours_bar_html(self.shift.covered_hours or [])

    @property
    def coverage_text(self) -> str:
        return covered_hours_text(self.shift.covered_hours or [])


# The bar's cells are fixed markup, covered or not: join ready-made strings.
_CELLS = tuple(
    (
        format_html('<span class="" title="{}:00 UTC"></span>', f"{hour:02d}"),
        format_html('<span class="on" title="{}:00 UTC"></span>', f"{hour:02d}"),
    )
    for hour in range(24)
)


def hours_bar_html(covered: Iterable[int]) -> SafeString:
    hours = set(covered)
    return mark_safe("".join(_CELLS[hour][hour in hours] for hour in range(24)))


def covered_hours_text(hours: Iterable[int]) -> str:
    """[0, 1, 2, 9, 10] -> "00:00-03:00, 09:00-11:00 UTC" (the bar's text alternative)."""
    ordered = sorted({h for h in hours if isinstance(h, int) and 0 <= h < 24})
    if not ordered:
        return "no hours covered"
    if len(ordered) == 24:
        return "all 24 hours (UTC)"
    runs: list[list[int]] = []
    for hour in ordered:
        if runs and hour == runs[-1][1]:
            runs[-1][1] = hour + 1
        else:
            runs.append([hour, hour + 1])
    return ", ".join(f"{a:02d}:00-{b:02d}:00" for a, b in runs) + " UTC"


def shifts_with_people(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts in time order with their release and, as `active_assignments`, their current
    seats and people: three queries however many shifts."""
    return (
        shifts.select_related("release")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active().select_related("person"),
                to_attr="active_assignments",
            )
        )
        .order_by("starts_at")
    )


def rota_schedule(
    rota: Rota, now: datetime, viewer: User | AnonymousUser, weeks: int = 8
) -> list[ShiftView]:
    """The shift running now and those starting in the next `weeks` weeks, with their people
    named as this viewer may see them."""
    knows_people = rota_viewer_knows_people(viewer, rota)
    shifts = shifts_with_people(
        Shift.objects.filter(rota=rota, ends_at__gt=now, starts_at__lt=now + timedelta(weeks=weeks))
    )
    return [
        ShiftView(s, list(s.active_assignments), s.starts_at <= now < s.ends_at, knows_people)
        for s in shifts
    ]


@dataclass(frozen=True)
class RotaNow:
    """A rota in the list with the shifts running now (a release rota may run two)."""

    rota: Rota
    on_duty: list[ShiftView]


def rotas_with_duty_now(viewer: User | AnonymousUser, now: datetime) -> list[RotaNow]:
    """The rotas this viewer may see, each with who is on duty at `now`."""
    rotas = list(rotas_visible_to(viewer).order_by("name"))
    known = rota_ids_known_by(viewer)
    running: dict[int, list[ShiftView]] = {rota.pk: [] for rota in rotas}
    shifts = shifts_with_people(
        Shift.objects.filter(rota__in=rotas, starts_at__lte=now, ends_at__gt=now)
    )
    for shift in shifts:
        knows_people = known is None or shift.rota_id in known
        running[shift.rota_id].append(
            ShiftView(shift, list(shift.active_assignments), True, knows_people)
        )
    return [RotaNow(rota, running[rota.pk]) for rota in rotas]


# How far ahead a rota page looks unless the viewer asks for more (up to the rota's horizon).
SCHEDULE_WEEKS_DEFAULT = 8


def rota_schedule_weeks_bounds(rota: Rota) -> tuple[int, int]:
    """The weeks a rota page may show: (default, most). The most is the rota's planning
    horizon, since nothing is planned beyond it."""
    most = max(1, rota.horizon_weeks)
    return min(SCHEDULE_WEEKS_DEFAULT, most), most


def rota_shifts_planned_after(rota: Rota, when: datetime) -> int:
    """How many planned shifts of this rota start at or after `when` (beyond what a page
    shows), so the page can offer to show them."""
    return Shift.objects.filter(rota=rota, starts_at__gte=when).count()
