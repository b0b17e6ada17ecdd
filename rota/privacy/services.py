"""Deleting an account while keeping past duties true.

The User row is anonymised in place rather than deleted: past assignments, plan runs and the
fairness history that counts them keep pointing at one row, now "A former volunteer" with no
name, address, login or zone. What only served the person (working hours, time off,
memberships, feeds, notices, login records) is deleted; duties not yet started are cancelled
and their rotas re-planned, so their seats go to others.

The organisation stays: fairness across organisations counts past duties by it, and it names
an employer, not the person.
"""

from __future__ import annotations

from datetime import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.db.models import F, Q

from accounts.models import ApiToken, User
from rota.feeds.models import FeedToken
from rota.notifications.models import Notice, NoticeOptOut, NoticeSettings
from rota.rotas.models import (
    Assignment,
    ManagerAction,
    Membership,
    PlanRun,
    PlanTrigger,
    SwapRequest,
    SwapStatus,
)
from rota.rotas.services import rota_plan_version_bump, rotas_replan_enqueue

FORMER_VOLUNTEER = "A former volunteer"


def _scrub_names(user: User, names: set[str]) -> None:
    """Plan runs and the managers' audit log named the person: name them no more."""
    runs = PlanRun.objects.filter(
        Q(rota__shifts__assignments__person=user) | Q(rota__memberships__user=user)
    ).distinct()
    for run in runs:
        changes = [
            {**c, "name": FORMER_VOLUNTEER} if c.get("person") == user.pk else c
            for c in run.changes or []
        ]
        if changes != run.changes:
            PlanRun.objects.filter(pk=run.pk).update(changes=changes)
    for action in ManagerAction.objects.filter(
        Q(details__person=user.pk) | Q(details__replaced_person=user.pk)
    ):
        summary = action.summary
        for name in names:
            summary = summary.replace(name, FORMER_VOLUNTEER)
        ManagerAction.objects.filter(pk=action.pk).update(summary=summary[:300])


@transaction.atomic
def person_forget(user: User, now: datetime) -> None:
    """Delete the person's personal data; keep their past duties as a former volunteer."""
    user = User.objects.select_for_update().get(pk=user.pk)
    names = {n for n in (user.name, user.display_name, user.username) if n}
    upcoming = list(
        Assignment.objects.active().filter(person=user, shift__starts_at__gt=now)
        .values_list("pk", "shift__rota_id")
    )  # fmt: skip
    rota_ids = {rota_id for _pk, rota_id in upcoming} | set(
        Membership.objects.filter(user=user).values_list("rota_id", flat=True)
    )
    Assignment.objects.filter(pk__in=[pk for pk, _ in upcoming]).update(
        cancelled_at=now, sequence=F("sequence") + 1
    )
    for rota_id in {rota_id for _pk, rota_id in upcoming}:
        rota_plan_version_bump(rota_id)
    SwapRequest.objects.filter(requester=user, status=SwapStatus.OPEN).update(
        status=SwapStatus.WITHDRAWN, decided_at=now
    )
    SwapRequest.objects.filter(target=user, status=SwapStatus.OPEN).update(target=None)
    Membership.objects.filter(user=user).delete()
    user.working_hours.all().delete()
    user.time_off.all().delete()
    user.managed_rotas.clear()
    user.owned_components.clear()
    user.groups.clear()
    user.user_permissions.clear()
    FeedToken.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    Notice.objects.filter(recipient=user).delete()
    NoticeOptOut.objects.filter(user=user).delete()
    NoticeSettings.objects.filter(user=user).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=names).delete()
    _scrub_names(user, names)

    user.username = f"former-volunteer-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = FORMER_VOLUNTEER
    user.github_login = ""
    user.country = ""
    user.time_zone = "UTC"
    user.count_public_holidays = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    if rota_ids:
        rotas_replan_enqueue(rota_ids, PlanTrigger.MEMBERSHIP)
