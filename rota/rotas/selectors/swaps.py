"""Reads: who may take a duty, and the swap requests a person sees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.selectors import availability_for_users, unavailable_intervals_for
from rota.rotas.models import (
    Assignment,
    Membership,
    Shift,
    SwapRequest,
    SwapStatus,
)


def assignments_swappable_by(user: User, now: datetime) -> QuerySet[Assignment]:
    """The person's own active duties that have not started yet."""
    return (
        Assignment.objects.active()
        .filter(person=user, shift__starts_at__gt=now)
        .select_related("shift", "shift__rota")
        .order_by("shift__starts_at")
    )


def shift_overlaps(shift: Shift, off: Iterable[tuple[datetime, datetime]]) -> bool:
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
    if shift_overlaps(shift, off):
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
