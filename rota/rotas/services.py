"""Writes of the rota domain."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rota.rotas.models import Rota
from rota.rotas.tasks import plan_rota_task


def rotas_replan_enqueue(rota_ids: Iterable[int], trigger: str) -> None:
    """Queue a re-plan of each rota after the current transaction commits.

    A burst of changes (several time-off entries saved in a row) is debounced: each plan task
    is delayed by ROTA_REPLAN_DEBOUNCE_SECONDS, and a task that finds a run newer than its own
    enqueue time does nothing, so a burst costs one plan, not one per change.
    """
    ids = sorted(set(rota_ids))
    if not ids:
        return
    countdown = settings.ROTA_REPLAN_DEBOUNCE_SECONDS

    def enqueue() -> None:
        requested_at = timezone.now().isoformat()
        for rota_id in ids:
            plan_rota_task.apply_async((rota_id, str(trigger), requested_at), countdown=countdown)

    transaction.on_commit(enqueue)


def rota_plan_version_bump(rota_id: int) -> None:
    """Mark the stored plan of a rota as changed (feeds and pages key their caches on it).

    Every write that adds, cancels or moves an assignment calls this in the same transaction.
    """
    Rota.objects.filter(pk=rota_id).update(plan_version=F("plan_version") + 1)
