"""Keep feed cache keys honest: a change to what a feed shows raises the plan_version of the
rotas it shows up in, so the next poll renders under a new key. And once a plan is applied, a
worker renders the rota's feeds under their new keys (plan_applied, at the end).

Feeds are cached under their rotas' plan_version (see selectors). The planner and the swap
service raise it themselves; these receivers cover the other writes that change a document:
a person's name or zone, a release's version, and admin edits of shifts and assignments. A
rota's own name, description and kind need no bump: the key reads them with the token.

Each bump runs after the save, in the same transaction when there is one: bumping first would
let a poll in between cache the old content under the new key, for good. The planner writes
with bulk_create and queryset updates, and saves shifts only with update_fields, so it sends
none of these signals and pays nothing here: it raises the version itself whenever it writes
anything (rota/rotas/planning/apply.py), moved shifts and rewritten explanations included. A
release's new date is such a move: the bump below only covers its version, and the re-plan that
follows the save bumps again once the shift has moved.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from rota.feeds.services import rota_feeds_warm_enqueue
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    PlanRun,
    PlanRunStatus,
    Release,
    Rota,
    Shift,
)
from rota.rotas.services import rota_plan_version_bump

# What feeds show of a person: their name (display name, or real name in private feeds) and
# their zone (private feeds give each co-worker's local time).
PERSON_SHOWN_FIELDS = ("display_name", "first_name", "last_name", "username", "time_zone")


def _saves_any(update_fields: Any, fields: tuple[str, ...]) -> bool:
    return update_fields is None or not set(update_fields).isdisjoint(fields)


@receiver(pre_save, sender=User, dispatch_uid="feeds_person_shown_before")
def person_shown_before(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # post_save cannot see the old values, so compare here (one small query, and only for a
    # save that writes a shown field: a login's last_login update costs nothing).
    instance._feeds_person_changed = False  # type: ignore[attr-defined]
    if raw or instance._state.adding or not _saves_any(update_fields, PERSON_SHOWN_FIELDS):
        return
    before = User.objects.filter(pk=instance.pk).values(*PERSON_SHOWN_FIELDS).first()
    instance._feeds_person_changed = before is not None and any(  # type: ignore[attr-defined]
        before[name] != getattr(instance, name) for name in PERSON_SHOWN_FIELDS
    )


@receiver(post_save, sender=User, dispatch_uid="feeds_person_shown_after")
def person_shown_after(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw or not getattr(instance, "_feeds_person_changed", False):
        return
    instance._feeds_person_changed = False  # type: ignore[attr-defined]
    # Every rota whose feeds can show this person: where they hold (or held) a duty, and where
    # they are a member or manager. One UPDATE; F() so concurrent bumps add up.
    rota_ids = Rota.objects.filter(
        Q(shifts__assignments__person=instance)
        | Q(memberships__user=instance)
        | Q(managers=instance)
    ).values("pk")
    Rota.objects.filter(pk__in=rota_ids).update(plan_version=F("plan_version") + 1)


@receiver(post_save, sender=Release, dispatch_uid="feeds_release_saved")
@receiver(post_delete, sender=Release, dispatch_uid="feeds_release_deleted")
def release_changed(sender: Any, instance: Release, raw: bool = False, **kwargs: Any) -> None:
    # A new release has no shift yet, so no feed shows it until a plan (which bumps) does.
    if not raw and not kwargs.get("created"):
        rota_plan_version_bump(instance.rota_id)


@receiver(post_save, sender=Shift, dispatch_uid="feeds_shift_saved")
@receiver(post_delete, sender=Shift, dispatch_uid="feeds_shift_deleted")
def shift_changed(sender: Any, instance: Shift, raw: bool = False, **kwargs: Any) -> None:
    # A new shift has no duties yet; the planner's own saves name their update_fields.
    if raw or kwargs.get("created") or kwargs.get("update_fields") is not None:
        return
    rota_plan_version_bump(instance.rota_id)


@receiver(post_save, sender=Assignment, dispatch_uid="feeds_assignment_saved")
@receiver(post_delete, sender=Assignment, dispatch_uid="feeds_assignment_deleted")
def assignment_changed(sender: Any, instance: Assignment, raw: bool = False, **kwargs: Any) -> None:
    if raw or kwargs.get("update_fields") is not None:
        return
    if kwargs.get("created") and instance.source == AssignmentSource.SWAPPED:
        return  # swap_request_accept bumps once for the whole swap, in the same transaction
    # One UPDATE through the shift, without loading it.
    Rota.objects.filter(shifts=instance.shift_id).update(plan_version=F("plan_version") + 1)


@receiver(post_save, sender=PlanRun, dispatch_uid="feeds_plan_applied")
def plan_applied(
    sender: Any, instance: PlanRun, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    # Every applied plan is recorded by one new PlanRun, in the plan's transaction: render the
    # rota's feeds once it commits, so the first poll after a change is a cache read too.
    if raw or not created or instance.status != PlanRunStatus.APPLIED:
        return
    rota_feeds_warm_enqueue(instance.rota_id)
