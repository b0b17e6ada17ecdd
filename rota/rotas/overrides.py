"""Writes: a manager puts a person on a seat, or replaces who holds one, with a reason.

The same rules as a swap (membership, role, time off, not already on the shift) and the
planner's own rules across the plan (rest, spacing, limits), checked by the engine on the
plan as it would be; the coverage the shift would have is shown before the manager confirms.
An override is a frozen assignment: later re-plans keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.selectors import availability_for_users
from accounts.validators import validate_plain_text
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    ManagerAction,
    ManagerActionKind,
    Membership,
    Shift,
)
from rota.rotas.outbox import outbox_put
from rota.rotas.planning.checks import seat_change_check
from rota.rotas.publishing import rota_manager_check
from rota.rotas.selectors import duty_taker_problems_given
from rota.rotas.services import rota_lock, rota_plan_version_bump

OVERRIDE_NEWS_TASK = "rota.notifications.tasks.override_news_send_task"


@dataclass(frozen=True)
class OverrideCheck:
    shift: Shift
    role: str
    person: User
    replaced: Assignment | None
    problems: list[str]
    covered_before: list[int]
    covered_after: list[int]

    @property
    def minimum(self) -> int:
        return self.shift.rota.min_coverage_hours

    @property
    def coverage_warning(self) -> str:
        after = len(self.covered_after)
        if self.minimum and after < self.minimum:
            return (
                f"This week would cover {after} of the rota's {self.minimum} hours "
                f"(now {len(self.covered_before)})."
            )
        return ""


def _seat(shift: Shift, role: str, replace_id: int | None) -> Assignment | None:
    if role not in shift.rota.roles:
        raise ValidationError({"role": f"{shift.rota.name} has no {role} role."})
    if replace_id is None:
        return None
    replaced = Assignment.objects.active().filter(pk=replace_id, shift=shift).first()
    if replaced is None:
        raise ValidationError({"replace": "That person no longer holds a seat of this shift."})
    if replaced.role != role:
        raise ValidationError({"replace": f"That seat is a {replaced.role} seat."})
    return replaced


def assignment_override_check(
    actor: User,
    shift_id: int,
    role: str,
    person_id: int,
    *,
    replace_id: int | None = None,
    now: datetime | None = None,
) -> OverrideCheck:
    """Everything a manager should know before confirming an override."""
    now = now or timezone.now()
    shift = Shift.objects.select_related("rota").filter(pk=shift_id).first()
    if shift is None:
        raise ValidationError({"shift": "This shift does not exist."})
    rota_manager_check(actor, shift.rota)
    if shift.starts_at <= now:
        raise ValidationError({"shift": "This shift has started; it can no longer be changed."})
    replaced = _seat(shift, role, replace_id)
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise ValidationError({"person": "Choose a member of the rota."})
    active = list(Assignment.objects.active().filter(shift=shift))
    if replaced is None and sum(1 for a in active if a.role == role) >= shift.rota.seat_roles.count(
        role
    ):
        raise ValidationError({"replace": f"Every {role} seat is taken: choose whom to replace."})
    membership = Membership.objects.filter(user=person, rota=shift.rota).first()
    seat = Assignment(shift=shift, role=role)
    off = availability_for_users([person.pk], shift.starts_at, shift.ends_at)
    problems = duty_taker_problems_given(
        seat,
        membership,
        on_shift=any(a.person_id == person.pk and a != replaced for a in active),
        off=off[person.pk].unavailable if person.pk in off else (),
    )
    problems = [p.replace("You are", "They are").replace("You ", "They ") for p in problems]
    after: list[int] = list(shift.covered_hours or [])
    if not problems:
        rules = seat_change_check(
            shift, role, person.pk, replaced.person_id if replaced else None, now
        )
        problems += rules.problems
        after = rules.covered_after
    return OverrideCheck(
        shift, role, person, replaced, problems, list(shift.covered_hours or []), after
    )


@transaction.atomic
def assignment_override(
    actor: User,
    shift_id: int,
    role: str,
    person_id: int,
    reason: str,
    *,
    replace_id: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Put the person on the seat (replacing `replace_id` if given), or raise ValidationError
    naming every rule it would break."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the people affected and the log read it."})
    validate_plain_text(reason)
    rota_lock(Shift.objects.filter(pk=shift_id).values_list("rota_id", flat=True).first())
    check = assignment_override_check(
        actor, shift_id, role, person_id, replace_id=replace_id, now=now
    )
    if check.problems:
        raise ValidationError({"person": check.problems})
    shift, person, replaced = check.shift, check.person, check.replaced
    if replaced is not None:
        cancelled = Assignment.objects.filter(pk=replaced.pk, cancelled_at__isnull=True).update(
            cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
        )
        if cancelled != 1:
            raise ValidationError({"replace": "That seat changed meanwhile; look again."})
    Assignment.objects.active().filter(shift=shift).update(
        sequence=F("sequence") + 1, updated_at=now
    )
    taken = Assignment.objects.create(
        shift=shift,
        person=person,
        role=role,
        source=AssignmentSource.OVERRIDDEN,
        explanation=f"Set by {actor.name}, a manager of {shift.rota.name}: {reason}",
    )
    Shift.objects.filter(pk=shift.pk).update(covered_hours=check.covered_after)
    rota_plan_version_bump(shift.rota_id)
    was = f" instead of {replaced.person.name}" if replaced is not None else ""
    action = ManagerAction.objects.create(
        rota=shift.rota,
        actor=actor,
        kind=ManagerActionKind.OVERRIDE,
        summary=f"Put {person.name} on the {role} seat of {shift.starts_at:%d %b %Y}{was}"[:300],
        reason=reason,
        details={
            "shift": shift.pk,
            "assignment": taken.pk,
            "person": person.pk,
            "replaced_person": replaced.person_id if replaced is not None else None,
            "coverage_hours": len(check.covered_after),
        },
        created_at=now,
    )
    outbox_put(f"override-news:{action.pk}", OVERRIDE_NEWS_TASK, [action.pk])
    return taken
