"""Writes of the rota domain."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.availability import WindowSpec
from accounts.models import User
from accounts.services import (
    time_off_add,
    time_off_change_own,
    time_off_remove_own,
    user_profile_update,
    user_sign_up,
    working_hours_replace,
)
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Membership,
    PlanTrigger,
    Rota,
    Shift,
    SwapRequest,
    SwapStatus,
)
from rota.rotas.outbox import outbox_put
from rota.rotas.selectors import duty_taker_problems

PLAN_TASK = "rota.rotas.tasks.plan_rota_task"
SWAP_NEWS_TASK = "rota.notifications.tasks.swap_news_send_task"


def rotas_replan_enqueue(rota_ids: Iterable[int], trigger: str) -> None:
    """Record that these rotas need a re-plan, in the caller's transaction, and nudge the plan
    task after the commit.

    The request is an outbox row, so a broker outage or a worker that dies loses nothing (the
    outbox sweep sends it later). A burst of changes (several time-off entries saved in a row,
    a whole community seeded) folds into one run: the row keeps the due time of the first
    change, ROTA_REPLAN_DEBOUNCE_SECONDS after it, and the run reads every change committed
    before it starts.
    """
    from rota.rotas.planning import plan_outbox_key

    delay = settings.ROTA_REPLAN_DEBOUNCE_SECONDS
    with transaction.atomic():
        for rota_id in sorted(set(rota_ids)):
            outbox_put(plan_outbox_key(rota_id), PLAN_TASK, [rota_id, str(trigger)], delay=delay)


def rota_lock(rota_id: int | None) -> None:
    """Hold the rota's row lock until the transaction ends (a no-op on SQLite, whose
    IMMEDIATE transactions already serialise writers)."""
    if rota_id is not None:
        # NO KEY, as planning takes it: inserts that only reference the rota go on meanwhile.
        locked = Rota.objects.select_for_update(no_key=True).filter(pk=rota_id)
        list(locked.values_list("pk", flat=True))


def rota_plan_version_bump(rota_id: int) -> None:
    """Mark the stored plan of a rota as changed (feeds and pages key their caches on it).

    Every write that adds, cancels or moves an assignment calls this in the same transaction.
    """
    Rota.objects.filter(pk=rota_id).update(plan_version=F("plan_version") + 1)


# --- contributor pages: sign-up, availability, leaving, swaps -------------------------------

logger = logging.getLogger(__name__)


def _changes_for(user: User, rota: Rota, changes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**c, "rota": rota.name, "starts_at": datetime.fromisoformat(c["starts_at"])}
        for c in changes
        if c.get("person") == user.pk
    ]


def person_replan(
    user: User, rota_ids: Iterable[int] | None = None, *, trigger: str, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    """Re-plan a person's rotas now and return the changes that touch them.

    Runs outside any transaction, after the change that caused it committed. Returns None when
    a plan could not run (another one holds the rota, or it failed): the debounced re-plan the
    change also enqueued will catch up, so the person is told that instead of an error page.
    """
    from rota.rotas.planning import rota_plan

    ids = sorted(
        set(rota_ids)
        if rota_ids is not None
        else set(Membership.objects.filter(user=user).values_list("rota_id", flat=True))
    )
    found: list[dict[str, Any]] = []
    complete = True
    for rota in Rota.objects.filter(pk__in=ids).order_by("name"):
        try:
            outcome = rota_plan(rota.pk, trigger=trigger, now=now)
        except Exception:
            logger.exception("re-planning rota %s for %s failed", rota.pk, user.pk)
            complete = False
            continue
        if outcome.run is None:
            complete = False
        found += _changes_for(user, rota, outcome.changes)
    if not complete and not found:
        return None
    return sorted(found, key=lambda c: c["starts_at"])


def memberships_join(user: User, wanted: dict[int, list[str]]) -> list[Membership]:
    """Join public rotas with the chosen roles (or change the roles of a rota already joined)."""
    joined = []
    for rota in Rota.objects.filter(pk__in=list(wanted)).order_by("name"):
        roles = sorted(set(wanted[rota.pk]))
        member = Membership.objects.filter(user=user, rota=rota).first()
        if member is None and not rota.is_public:
            raise PermissionDenied("This rota takes new members through its managers.")
        unknown = set(roles) - set(rota.roles)
        if not roles or unknown:
            raise ValidationError({"roles": f"Choose roles that {rota.name} has."})
        if member is None:
            member = Membership(
                user=user,
                rota=rota,
                roles=roles,
                min_weeks_between=rota.new_member_weeks_between,
            )
        elif member.roles == roles:
            continue
        member.roles = roles
        member.full_clean()
        member.save()
        joined.append(member)
    return joined


def contributor_rotas_save(
    user: User, wanted: dict[int, list[str]], *, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    """Join the chosen rotas (or change roles) all or none, then re-plan; return what changed."""
    with transaction.atomic():
        memberships_join(user, wanted)
    return person_replan(user, trigger=PlanTrigger.MEMBERSHIP, now=now)


@transaction.atomic
def contributor_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    profile: dict[str, Any],
    windows: Sequence[WindowSpec],
    roles: dict[int, list[str]],
) -> User:
    """Create a person with their working hours and join the public rotas they chose."""
    user = user_sign_up(
        username=username, email=email, password=password, windows=windows, **profile
    )
    memberships_join(user, roles)
    return user


def contributor_availability_save(
    user: User,
    *,
    profile: dict[str, Any],
    windows: Sequence[WindowSpec],
    now: datetime | None = None,
) -> list[dict[str, Any]] | None:
    """Save profile and working hours, then re-plan the person's rotas; return what changed."""
    with transaction.atomic():
        user_profile_update(user, **profile)
        working_hours_replace(user, windows)
    return person_replan(user, trigger=PlanTrigger.AVAILABILITY, now=now)


def contributor_time_off_add(
    user: User, start: date, end: date, note: str = "", now: datetime | None = None
) -> list[dict[str, Any]] | None:
    time_off_add(user, start, end, note)
    return person_replan(user, trigger=PlanTrigger.AVAILABILITY, now=now)


def contributor_time_off_remove(
    user: User, time_off_id: int, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    time_off_remove_own(user, time_off_id)
    return person_replan(user, trigger=PlanTrigger.AVAILABILITY, now=now)


def _own_membership(actor: User, membership_id: int) -> Membership:
    membership = Membership.objects.select_related("rota").filter(pk=membership_id).first()
    if membership is None or membership.user_id != actor.pk:
        raise PermissionDenied("You can only change your own memberships.")
    return membership


def membership_pause(
    actor: User, membership_id: int, *, paused: bool = True, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    """Pause (or resume) one's membership; duties beyond the freeze window go to others."""
    membership = _own_membership(actor, membership_id)
    if membership.paused != paused:
        membership.paused = paused
        membership.save(update_fields=["paused"])
    changes = person_replan(actor, [membership.rota_id], trigger=PlanTrigger.MEMBERSHIP, now=now)
    swap_requests_expire(now or timezone.now(), rota_ids=[membership.rota_id])
    return changes


def membership_leave(
    actor: User, membership_id: int, *, now: datetime | None = None
) -> list[dict[str, Any]] | None:
    """Leave a rota; duties beyond its freeze window are re-planned to others."""
    membership = _own_membership(actor, membership_id)
    rota_id = membership.rota_id
    membership.delete()
    changes = person_replan(actor, [rota_id], trigger=PlanTrigger.MEMBERSHIP, now=now)
    swap_requests_expire(now or timezone.now(), rota_ids=[rota_id])
    return changes


def swap_requests_expire(now: datetime, *, rota_ids: Iterable[int] | None = None) -> int:
    """Mark open requests that can no longer be taken as expired: their duty was cancelled
    (re-planned away, or its person left) or has started. Returns how many were expired.

    A conditional UPDATE, so it is safe to run at any time and twice; a request being taken
    meanwhile is no longer OPEN and is left alone.
    """
    stale = SwapRequest.objects.filter(status=SwapStatus.OPEN).filter(
        Q(assignment__cancelled_at__isnull=False) | Q(assignment__shift__starts_at__lte=now)
    )
    if rota_ids is not None:
        stale = stale.filter(assignment__shift__rota_id__in=list(rota_ids))
    # Django cannot UPDATE through a join on every backend; select the ids first.
    ids = list(stale.values_list("pk", flat=True))
    with transaction.atomic():
        expired = SwapRequest.objects.filter(pk__in=ids, status=SwapStatus.OPEN).update(
            status=SwapStatus.EXPIRED, decided_at=now
        )
        for swap_id in ids:  # the task tells only of requests that did expire
            _swap_news_enqueue(swap_id, "expired")
    return expired


def _swap_news_enqueue(swap_id: int, event: str) -> None:
    # By name: notifications sits above rotas, which records what happened and never imports it.
    outbox_put(f"swap-news:{swap_id}:{event}", SWAP_NEWS_TASK, [swap_id, event])


@transaction.atomic
def swap_request_create(
    actor: User,
    assignment_id: int,
    *,
    target_id: int | None = None,
    message: str = "",
    now: datetime | None = None,
) -> SwapRequest:
    """Ask for someone to take one of my duties: anyone eligible, or one named person."""
    now = now or timezone.now()
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("shift__rota")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or assignment.person_id != actor.pk:
        raise PermissionDenied("You can only ask for a swap of your own duty.")
    if assignment.cancelled_at is not None:
        raise ValidationError({"duty": "This duty is no longer yours."})
    if assignment.shift.starts_at <= now:
        raise ValidationError({"duty": "This duty has already started; it cannot be swapped."})
    if SwapRequest.objects.filter(assignment=assignment, status=SwapStatus.OPEN).exists():
        raise ValidationError({"duty": "There is already an open swap request for this duty."})
    target = None
    if target_id is not None:
        target = User.objects.filter(pk=target_id).first()
        if target is None or duty_taker_problems(target, assignment):
            raise ValidationError({"target": "This person cannot take this duty."})
    swap = SwapRequest.objects.create(
        assignment=assignment, requester=actor, target=target, message=message.strip()
    )
    _swap_news_enqueue(swap.pk, "requested")
    return swap


@transaction.atomic
def swap_request_withdraw(actor: User, swap_id: int, *, now: datetime | None = None) -> None:
    """Withdraw my open request; one that was taken meanwhile stays taken."""
    swap = SwapRequest.objects.filter(pk=swap_id).only("requester_id").first()
    if swap is None or swap.requester_id != actor.pk:
        raise PermissionDenied("You can only withdraw your own swap requests.")
    withdrawn = SwapRequest.objects.filter(pk=swap_id, status=SwapStatus.OPEN).update(
        status=SwapStatus.WITHDRAWN, decided_at=now or timezone.now()
    )
    if withdrawn != 1:
        raise ValidationError("This request is no longer open: it was taken or withdrawn.")
    _swap_news_enqueue(swap_id, "withdrawn")


def swap_request_claim(swap_id: int, taker: User, now: datetime) -> bool:
    """Move a request from open to accepted for this taker; True for exactly one caller.

    This conditional UPDATE is what guarantees a single winner: the database applies it to
    the row atomically, so of two concurrent takers one updates one row and the other zero,
    whatever isolation level or row locking (select_for_update is a no-op on SQLite) the
    database offers.
    """
    return (
        SwapRequest.objects.filter(pk=swap_id, status=SwapStatus.OPEN).update(
            status=SwapStatus.ACCEPTED, taken_by=taker, decided_at=now
        )
        == 1
    )


class CoverageConfirmationNeeded(ValidationError):
    """The swap would leave its week under the rota's minimum coverage: the taker confirms."""


@transaction.atomic
def swap_request_accept(
    actor: User, swap_id: int, *, now: datetime | None = None, confirmed: bool = False
) -> Assignment:
    """Take someone's swap request: re-check eligibility and availability, then move the seat.

    Two people taking the same request at once: both may pass the checks, but only one wins
    swap_request_claim; the other gets a ValidationError saying who was faster.
    """
    now = now or timezone.now()
    # Lock the rota first, as planning does for its whole run: a plan that read the seats
    # before this swap can then never write over it (see rota.rotas.planning).
    rota_lock(
        SwapRequest.objects.filter(pk=swap_id)
        .values_list("assignment__shift__rota_id", flat=True)
        .first()
    )
    swap = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("assignment__shift__rota", "requester", "taken_by")
        .filter(pk=swap_id)
        .first()
    )
    # Whether a request exists, its state and who took it are for the rota's members (and
    # the person it was asked of) only: everyone else gets the same PermissionDenied, which
    # pages answer with 404, so requests of a private rota cannot be enumerated.
    if swap is None or not (
        swap.target_id == actor.pk
        or Membership.objects.filter(user=actor, rota_id=swap.assignment.shift.rota_id).exists()
    ):
        raise PermissionDenied("No such swap request.")
    if swap.target_id is not None and swap.target_id != actor.pk:
        raise PermissionDenied("This swap request was made to someone else.")
    if swap.requester_id == actor.pk:
        raise ValidationError("You cannot take your own swap request.")
    if swap.status != SwapStatus.OPEN:
        who = f" by {swap.taken_by.public_name}" if swap.taken_by else ""
        raise ValidationError(f"Too late: this request was already {swap.status}{who}.")
    assignment = swap.assignment
    if assignment.cancelled_at is not None:
        raise ValidationError("This duty is no longer the requester's.")
    if assignment.shift.starts_at <= now:
        raise ValidationError("This duty has already started; it cannot be swapped.")
    problems = duty_taker_problems(actor, assignment)
    if problems:
        raise ValidationError(problems)
    # The planner's rules across the rota's community (rest, spacing, caps) and the coverage
    # the week would keep, on the plan as it would be after the swap.
    from rota.rotas.planning.checks import seat_change_check

    rules = seat_change_check(
        assignment.shift, assignment.role, actor.pk, assignment.person_id, now
    )
    if rules.problems:
        raise ValidationError(rules.problems)
    if rules.below_minimum:
        if assignment.shift.rota.refuse_swaps_below_coverage:
            raise ValidationError(
                f"{rules.coverage_text} {assignment.shift.rota.name} does not take swaps that "
                "leave a week under its minimum."
            )
        if not confirmed:
            raise CoverageConfirmationNeeded(rules.coverage_text)
    if not swap_request_claim(swap.pk, actor, now):
        winner = SwapRequest.objects.select_related("taken_by").get(pk=swap.pk).taken_by
        raise ValidationError(
            f"Too late: {winner.public_name if winner else 'someone else'} took it first."
        )
    cancelled = Assignment.objects.filter(pk=assignment.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
    )
    if cancelled != 1:
        raise ValidationError("This duty is no longer the requester's.")
    # Only one request per duty is open at a time, but one left over (say, from before that
    # rule) can no longer be taken now that the duty is cancelled.
    SwapRequest.objects.filter(assignment=assignment, status=SwapStatus.OPEN).update(
        status=SwapStatus.EXPIRED, decided_at=now
    )
    taken = Assignment.objects.create(
        shift=assignment.shift,
        person=actor,
        role=assignment.role,
        source=AssignmentSource.SWAPPED,
        explanation=f"You took this duty from {swap.requester.name} by a swap.",
    )
    # Co-workers keep their seats, but their event now names someone else: a changed event.
    Assignment.objects.active().filter(shift=assignment.shift).exclude(pk=taken.pk).update(
        sequence=F("sequence") + 1, updated_at=now
    )
    Shift.objects.filter(pk=assignment.shift_id).update(covered_hours=rules.covered_after)
    rota_plan_version_bump(assignment.shift.rota_id)
    _swap_news_enqueue(swap.pk, "accepted")
    return taken


def contributor_time_off_change(
    user: User,
    time_off_id: int,
    start: date,
    end: date,
    note: str = "",
    now: datetime | None = None,
) -> list[dict[str, Any]] | None:
    """Change one of the person's time-off entries, then re-plan; return what changed."""
    time_off_change_own(user, time_off_id, start, end, note)
    return person_replan(user, trigger=PlanTrigger.AVAILABILITY, now=now)
