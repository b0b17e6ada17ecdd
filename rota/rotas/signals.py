"""Re-plan a rota when what it is planned from changes: a member's availability (accounts'
signal), its memberships, its releases. The plan task is enqueued after the commit."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.signals import availability_changed
from rota.rotas.models import Membership, PlanTrigger, Release, Rota
from rota.rotas.services import rotas_replan_enqueue


@receiver(availability_changed, dispatch_uid="rotas_replan_on_availability")
def replan_on_availability(sender: Any, user: Any, reason: str = "", **kwargs: Any) -> None:
    rota_ids = list(user.memberships.values_list("rota_id", flat=True))
    rotas_replan_enqueue(rota_ids, PlanTrigger.AVAILABILITY)


@receiver(post_save, sender=Membership, dispatch_uid="rotas_replan_on_membership_save")
@receiver(post_delete, sender=Membership, dispatch_uid="rotas_replan_on_membership_delete")
def replan_on_membership(
    sender: Any, instance: Membership, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        rotas_replan_enqueue([instance.rota_id], PlanTrigger.MEMBERSHIP)


@receiver(post_save, sender=Release, dispatch_uid="rotas_replan_on_release_save")
@receiver(post_delete, sender=Release, dispatch_uid="rotas_replan_on_release_delete")
def replan_on_release(sender: Any, instance: Release, raw: bool = False, **kwargs: Any) -> None:
    # A release the planner itself has just created from the cadence needs no second plan;
    # any later change to it (a date that moves) does.
    if not raw and not (kwargs.get("created") and instance.from_cadence):
        rotas_replan_enqueue([instance.rota_id], PlanTrigger.RELEASE)


@receiver(post_save, sender=Rota, dispatch_uid="rotas_replan_on_rota_save")
def replan_on_rota(sender: Any, instance: Rota, raw: bool = False, **kwargs: Any) -> None:
    # A new hand-off, shift length, horizon, cadence or rule changes the plan; planning
    # itself writes the rota only with queryset updates, which send no signal.
    if not raw:
        rotas_replan_enqueue([instance.pk], PlanTrigger.MANUAL)
