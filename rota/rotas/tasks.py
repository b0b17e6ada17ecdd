"""Celery tasks of the rota domain: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="rota.rotas.tasks.plan_rota_task", acks_late=True)
def plan_rota_task(rota_id: int, trigger: str = "manual") -> str:
    """Plan one rota; safe to run twice (a claim on the rota keeps runs apart)."""
    from rota.rotas.planning import rota_plan

    return rota_plan(rota_id, trigger=trigger).outcome


@shared_task(name="rota.rotas.tasks.rotas_extend_horizon_task")
def rotas_extend_horizon_task() -> str:
    """Daily: extend every rota's plan to its horizon (enqueues one plan per rota)."""
    from rota.rotas.models import PlanTrigger, Rota

    ids = list(Rota.objects.values_list("id", flat=True))
    for rota_id in ids:
        plan_rota_task.delay(rota_id, PlanTrigger.SCHEDULE)
    return f"queued {len(ids)} rotas"
