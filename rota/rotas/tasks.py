"""Celery tasks of the rota domain: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


class RotaBusy(Exception):
    """Another run holds the rota; this one retries shortly so its change is not lost."""


@shared_task(
    name="rota.rotas.tasks.plan_rota_task",
    acks_late=True,
    # A locked or restarting database, or another run of the same rota, is transient. The
    # backoff stays under the broker's visibility timeout, and a task that gives up loses
    # nothing: its outbox row stays and the sweep sends it again.
    autoretry_for=(OperationalError, RotaBusy),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=8,
)
def plan_rota_task(rota_id: int, trigger: str = "manual") -> str:
    """Plan one rota if a re-plan of it is pending in the outbox. Safe to run twice: the
    rota's row lock keeps runs apart, and the run that plans removes the pending request."""
    from rota.rotas.outbox import outbox_pending
    from rota.rotas.planning import plan_outbox_key, rota_plan

    if not outbox_pending([plan_outbox_key(rota_id)]):
        return f"rota {rota_id}: no re-plan pending"
    outcome = rota_plan(rota_id, trigger=trigger)
    if outcome.busy:
        raise RotaBusy(outcome.outcome)
    return outcome.outcome


@shared_task(name="rota.rotas.tasks.rotas_extend_horizon_task")
def rotas_extend_horizon_task() -> str:
    """Daily: extend every rota's plan to its horizon (a re-plan request per rota)."""
    from rota.rotas.models import PlanTrigger, Rota
    from rota.rotas.services import rotas_replan_enqueue

    ids = list(Rota.objects.values_list("id", flat=True))
    rotas_replan_enqueue(ids, PlanTrigger.SCHEDULE)
    return f"queued {len(ids)} rotas"


@shared_task(name="rota.rotas.tasks.outbox_sweep_task")
def outbox_sweep_task() -> str:
    """Every few seconds: send the outbox's due work that no task is on (the broker was away
    when it was recorded, or the worker running it died)."""
    from rota.rotas.outbox import outbox_sweep

    sent, failed = outbox_sweep()
    return f"sent {sent}, {failed} not taken by the broker"


@shared_task(name="rota.rotas.tasks.swap_requests_expire_task")
def swap_requests_expire_task() -> str:
    """Hourly: open swap requests whose duty has started or gone can no longer be taken."""
    from django.utils import timezone

    from rota.rotas.services import swap_requests_expire

    return f"expired {swap_requests_expire(timezone.now())} swap requests"
