"""Reads of the rota domain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from accounts.selectors import availability_for_users, unavailable_intervals_for
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


def rotas_visible_to(user: User | AnonymousUser) -> QuerySet[Rota]:
    """Public rotas for everyone; private ones for their members, managers and staff."""
    rotas = Rota.objects.all()
    if not user.is_authenticated:
        return rotas.filter(is_public=True)
    if user.is_staff:
        return rotas
    return rotas.filter(Q(is_public=True) | Q(memberships__user=user) | Q(managers=user)).distinct()


# --- contributor pages ---------------------------------------------------------------------


def rota_for_viewer(slug: str, user: User | AnonymousUser) -> Rota:
    """The rota with this slug if the viewer may see it; Http404 otherwise (private rotas
    do not reveal that they exist)."""
    rota = rotas_visible_to(user).filter(slug=slug).first()
    if rota is None:
        raise Http404("No such rota.")
    return rota


def rota_and_knowledge_for_viewer(slug: str, user: User | AnonymousUser) -> tuple[Rota, bool]:
    """rota_for_viewer and rota_viewer_knows_people in one query, for reads that tools poll
    (the API's "on duty now"). The same two rules: public rotas or those one is in or manages
    are visible; members, managers and staff know the people. Http404 as rota_for_viewer."""
    if not user.is_authenticated or user.is_staff:
        return rota_for_viewer(slug, user), bool(user.is_authenticated)
    # Raw SQL: compiling the ORM's two Exists() cost more than running the query, on the
    # endpoint tools poll most (measured: 6.1 -> 2.9 ms a request). Table names come from
    # the models; values are parameters.
    rota_table = Rota._meta.db_table
    member_table = Membership._meta.db_table
    managers_table = Rota.managers.through._meta.db_table
    found = list(
        Rota.objects.raw(
            f"SELECT r.*,"
            f" EXISTS (SELECT 1 FROM {member_table} m WHERE m.rota_id = r.id AND m.user_id = %s)"
            f" AS viewer_is_member,"
            f" EXISTS (SELECT 1 FROM {managers_table} g WHERE g.rota_id = r.id AND g.user_id = %s)"
            f" AS viewer_is_manager"
            f" FROM {rota_table} r WHERE r.slug = %s",
            [user.pk, user.pk, slug],
        )
    )
    rota = found[0] if found else None
    knows = rota is not None and bool(rota.viewer_is_member or rota.viewer_is_manager)  # type: ignore[attr-defined]
    if rota is None or not (rota.is_public or knows):
        raise Http404("No such rota.")
    return rota, knows


@dataclass(frozen=True)
class CoverageCell:
    hour: int
    covered: bool


def rota_viewer_knows_people(user: User | AnonymousUser, rota: Rota) -> bool:
    """Members, managers and staff see who is on duty by name and zone; anyone else (a public
    rota's anonymous visitor, a signed-in outsider) sees only chosen display names."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (
        Membership.objects.filter(rota=rota, user=user).exists()
        or rota.managers.filter(pk=user.pk).exists()
    )


def person_label_for(person: User, *, knows_people: bool) -> str:
    """How a person on duty is named to a viewer: never their username to outsiders."""
    return person.name if knows_people else person.public_name


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


def rota_schedule(
    rota: Rota, now: datetime, viewer: User | AnonymousUser, weeks: int = 8
) -> list[ShiftView]:
    """The shift running now and those starting in the next `weeks` weeks, with their people
    named as this viewer may see them."""
    knows_people = rota_viewer_knows_people(viewer, rota)
    shifts = (
        Shift.objects.filter(rota=rota, ends_at__gt=now, starts_at__lt=now + timedelta(weeks=weeks))
        .select_related("release")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active().select_related("person"),
                to_attr="active_assignments",
            )
        )
        .order_by("starts_at")
    )
    return [
        ShiftView(s, list(s.active_assignments), s.starts_at <= now < s.ends_at, knows_people)
        for s in shifts
    ]


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
        off_during = a.shift.ends_at > now and _overlaps(a.shift, off)
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


def assignments_swappable_by(user: User, now: datetime) -> QuerySet[Assignment]:
    """The person's own active duties that have not started yet."""
    return (
        Assignment.objects.active()
        .filter(person=user, shift__starts_at__gt=now)
        .select_related("shift", "shift__rota")
        .order_by("shift__starts_at")
    )


def _overlaps(shift: Shift, off: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(start < shift.ends_at and shift.starts_at < end for start, end in off)


def duty_taker_problems_given(
    assignment: Assignment,
    membership: Membership | None,
    *,
    on_shift: bool,
    off: Iterable[tuple[datetime, datetime]],
) -> list[str]:
    """The one rule of who may take a duty from someone, from facts already read: why the
    candidate cannot (empty when they can). Naming someone in a swap request, listing the
    requests a person could take and accepting one all apply it."""
    shift, rota = assignment.shift, assignment.shift.rota
    problems = []
    if membership is None:
        problems.append(f"You are not a member of {rota.name}.")
    elif membership.paused:
        problems.append(f"Your membership of {rota.name} is paused.")
    elif assignment.role not in (membership.roles or rota.roles):
        problems.append(f"You do not take the {assignment.role} role on {rota.name}.")
    if on_shift:
        problems.append("You are already on duty in this shift.")
    if _overlaps(shift, off):
        problems.append("You have time off (or a public holiday) during this duty.")
    return problems


def duty_taker_problems(candidate: User, assignment: Assignment) -> list[str]:
    """Why this person cannot take this duty (empty when they can)."""
    shift = assignment.shift
    return duty_taker_problems_given(
        assignment,
        Membership.objects.filter(user=candidate, rota_id=shift.rota_id).first(),
        on_shift=Assignment.objects.active().filter(shift=shift, person=candidate).exists(),
        off=unavailable_intervals_for(candidate, shift.starts_at, shift.ends_at),
    )


def members_eligible_for(assignment: Assignment) -> list[User]:
    """Members who could take this duty (duty_taker_problems_given finds none for them)."""
    shift = assignment.shift
    on_shift = set(
        Assignment.objects.active().filter(shift=shift).values_list("person_id", flat=True)
    )
    memberships = list(
        Membership.objects.filter(rota_id=shift.rota_id, paused=False)
        .exclude(user_id__in=on_shift)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    people = availability_for_users(
        [m.user_id for m in memberships], shift.starts_at, shift.ends_at
    )
    return [
        m.user
        for m in memberships
        if not duty_taker_problems_given(
            assignment,
            m,
            on_shift=m.user_id in on_shift,
            off=people[m.user_id].unavailable if m.user_id in people else (),
        )
    ]


def swap_requests_open_for(user: User, now: datetime) -> list[SwapRequest]:
    """Open requests of others that this person could take: for them or for everyone, for a
    duty not yet started that duty_taker_problems_given lets them take."""
    memberships = {
        m.rota_id: m
        for m in Membership.objects.filter(user=user, paused=False).select_related("rota")
    }
    candidates = list(
        SwapRequest.objects.filter(
            status=SwapStatus.OPEN,
            assignment__cancelled_at__isnull=True,
            assignment__shift__starts_at__gt=now,
            assignment__shift__rota_id__in=list(memberships),
        )
        .filter(Q(target__isnull=True) | Q(target=user))
        .exclude(requester=user)
        # One Exists, not exclude() with two conditions on the multi-valued relation: that
        # would match the conditions on different seats, hiding a shift from anyone who once
        # held a (since cancelled) seat in it.
        .exclude(
            Exists(
                Assignment.objects.active().filter(shift=OuterRef("assignment__shift"), person=user)
            )
        )
        .select_related("assignment__shift__rota", "requester", "target")
        .order_by("assignment__shift__starts_at")
    )
    if not candidates:
        return []
    shifts = [swap.assignment.shift for swap in candidates]
    off = unavailable_intervals_for(
        user, min(s.starts_at for s in shifts), max(s.ends_at for s in shifts)
    )
    return [
        swap
        for swap in candidates
        if not duty_taker_problems_given(
            swap.assignment,
            memberships[swap.assignment.shift.rota_id],
            on_shift=False,  # excluded above
            off=off,
        )
    ]


@dataclass(frozen=True)
class SwapRequestView:
    swap: SwapRequest
    # Still stored as open, but its duty was cancelled or has started: nobody can take it,
    # so it shows as expired until swap_requests_expire writes that down.
    lapsed: bool

    @property
    def status(self) -> str:
        return SwapStatus.EXPIRED if self.lapsed else self.swap.status

    @property
    def status_label(self) -> str:
        return SwapStatus(self.status).label


def swap_request_lapsed(swap: SwapRequest, now: datetime) -> bool:
    return swap.status == SwapStatus.OPEN and (
        swap.assignment.cancelled_at is not None or swap.assignment.shift.starts_at <= now
    )


def swap_requests_by(user: User, now: datetime) -> list[SwapRequestView]:
    """A person's latest requests, open ones that can no longer be taken shown as expired."""
    swaps = (
        SwapRequest.objects.filter(requester=user)
        .select_related("assignment__shift__rota", "requester", "target", "taken_by")
        .order_by("-created_at")[:20]
    )
    return [SwapRequestView(s, swap_request_lapsed(s, now)) for s in swaps]


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("rota").order_by("rota__name")


def rotas_joinable() -> QuerySet[Rota]:
    return Rota.objects.filter(is_public=True).order_by("name")


# --- the rota list and a rota's schedule ---------------------------------------------------


def rota_ids_known_by(user: User | AnonymousUser) -> set[int] | None:
    """The rotas whose people this viewer may see by name and zone (rota_viewer_knows_people
    for many rotas in two queries); None means every rota (staff)."""
    if not user.is_authenticated:
        return set()
    if user.is_staff:
        return None
    member_of = Membership.objects.filter(user=user).values_list("rota_id", flat=True)
    managing = Rota.objects.filter(managers=user).values_list("pk", flat=True)
    return set(member_of) | set(managing)


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
    shifts = (
        Shift.objects.filter(rota__in=rotas, starts_at__lte=now, ends_at__gt=now)
        .select_related("release")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active().select_related("person"),
                to_attr="active_assignments",
            )
        )
        .order_by("starts_at")
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


# --- what a person is told after an action -------------------------------------------------


def membership_of(user: User, membership_id: int) -> Membership | None:
    """One of this person's memberships, with its rota; None for anyone else's."""
    return Membership.objects.select_related("rota").filter(pk=membership_id, user=user).first()


def swap_request_of(user: User, swap_id: int) -> SwapRequest | None:
    """A swap request this person asked for or took, with its duty, rota and people."""
    return (
        SwapRequest.objects.select_related("assignment__shift__rota", "requester", "target")
        .filter(Q(requester=user) | Q(taken_by=user), pk=swap_id)
        .first()
    )


def swap_takers_count(swap: SwapRequest) -> int:
    """How many people can take this request: the named person (if they still can) or every
    eligible member."""
    eligible = members_eligible_for(swap.assignment)
    if swap.target_id is not None:
        return sum(1 for person in eligible if person.pk == swap.target_id)
    return len(eligible)


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
