"""Re-plan the rotas a person is in when their availability changes (accounts' signal)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.signals import availability_changed
from rota.rotas.models import PlanTrigger


@receiver(availability_changed, dispatch_uid="rotas_replan_on_availability")
def replan_on_availability(sender: Any, user: Any, reason: str = "", **kwargs: Any) -> None:
    from rota.rotas.services import rotas_replan_enqueue

    rota_ids = list(user.memberships.values_list("rota_id", flat=True))
    rotas_replan_enqueue(rota_ids, PlanTrigger.AVAILABILITY)
