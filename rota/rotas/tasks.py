"""Celery tasks of the rota domain: thin wrappers that take ids and call services."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="rota.rotas.tasks.plan_rota_task",
    acks_late=True,
    autoretry_for=(OperationalError,),  # a locked or restarting database is transient
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def plan_rota_task(rota_id: int, trigger: str = "manual", requested_at: str | None = None) -> str:
    """Plan one rota. Safe to run twice: a claim on the rota keeps runs apart, and a run that
    finds a newer applied plan than its request does nothing (debounce)."""
    from rota.rotas.planning import rota_plan

    since = datetime.fromisoformat(requested_at) if requested_at else None
    return rota_plan(rota_id, trigger=trigger, requested_at=since).outcome


@shared_task(name="rota.rotas.tasks.rotas_extend_horizon_task")
def rotas_extend_horizon_task() -> str:
    """Daily: extend every rota's plan to its horizon (one plan task per rota)."""
    from rota.rotas.models import PlanTrigger, Rota

    ids = list(Rota.objects.values_list("id", flat=True))
    for rota_id in ids:
        plan_rota_task.delay(rota_id, PlanTrigger.SCHEDULE)
    return f"queued {len(ids)} rotas"
