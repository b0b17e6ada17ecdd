"""Celery tasks of the rota domain: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


class RotaBusy(Exception):
    """Another run holds the rota; this one retries shortly so its change is not lost."""


@shared_task(
    name="rota.rotas.tasks.plan_rota_task",
    acks_late=True,
    # A locked or restarting database, or another run of the same rota, is transient.
    autoretry_for=(OperationalError, RotaBusy),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=8,
)
def plan_rota_task(rota_id: int, trigger: str = "manual") -> str:
    """Plan one rota. Safe to run twice: a claim on the rota keeps runs apart, and planning an
    unchanged rota writes nothing."""
    from rota.rotas.planning import rota_plan

    outcome = rota_plan(rota_id, trigger=trigger)
    if outcome.busy:
        raise RotaBusy(outcome.outcome)
    return outcome.outcome


@shared_task(name="rota.rotas.tasks.rotas_extend_horizon_task")
def rotas_extend_horizon_task() -> str:
    """Daily: extend every rota's plan to its horizon (one plan task per rota)."""
    from rota.rotas.models import PlanTrigger, Rota

    ids = list(Rota.objects.values_list("id", flat=True))
    for rota_id in ids:
        plan_rota_task.delay(rota_id, PlanTrigger.SCHEDULE)
    return f"queued {len(ids)} rotas"


@shared_task(name="rota.rotas.tasks.swap_requests_expire_task")
def swap_requests_expire_task() -> str:
    """Hourly: open swap requests whose duty has started or gone can no longer be taken."""
    from django.utils import timezone

    from rota.rotas.services import swap_requests_expire

    return f"expired {swap_requests_expire(timezone.now())} swap requests"
