"""Planning: the database on one side, the pure engine on the other.

`rota_plan` reads a rota, its members, their availability (as UTC intervals), their history
and the stored plan; hands the engine plain frozen dataclasses and an explicit `now`; and
writes back only the difference, in one transaction, with a PlanRun that records the trigger,
the metrics and every change. Nothing outside this package writes plan results:
`problem` reads, `apply` writes the difference, and this module runs the two in order.

Concurrency: a run holds the rota's row lock (SELECT ... FOR UPDATE NOWAIT) for its whole
read-plan-write transaction, so two workers never plan one rota at once and a swap taken
meanwhile waits for the plan instead of being undone by it. The lock is the database's: it
ends with the transaction, and with the connection when a worker dies, so a crashed run never
blocks the rota. On SQLite, whose IMMEDIATE transactions admit one writer at a time, the
second run waits for the first instead.

Nothing is lost: the request to plan a rota is an outbox row (rota.rotas.outbox) that the run
deletes in the same transaction as its plan, unless a newer change arrived while it ran.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from rota import engine
from rota.rotas.models import PlanRun, PlanRunStatus, Rota
from rota.rotas.outbox import outbox_begin, outbox_done, outbox_failed
from rota.rotas.planning.apply import plan_apply
from rota.rotas.planning.problem import problem_for_rota, releases_from_cadence, rota_slots

__all__ = [
    "PlanOutcome",
    "plan_apply",
    "plan_outbox_key",
    "problem_for_rota",
    "releases_from_cadence",
    "rota_plan",
    "rota_slots",
]

logger = logging.getLogger(__name__)


def plan_outbox_key(rota_id: int) -> str:
    return f"plan-rota:{rota_id}"


@dataclass
class PlanOutcome:
    outcome: str
    run: PlanRun | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    busy: bool = False  # another run holds the rota: try again shortly


class RotaLocked(Exception):
    """Another transaction holds the rota's row."""


def _lock_rota(rota_id: int) -> None:
    try:
        locked = list(
            Rota.objects.select_for_update(nowait=True).filter(pk=rota_id).values_list("pk")
        )
    except OperationalError as exc:  # PostgreSQL: "could not obtain lock on row"
        raise RotaLocked(str(exc)) from exc
    if not locked:
        raise RotaLocked(f"rota {rota_id} is gone")


def metrics_to_json(result: engine.Plan) -> dict[str, Any]:
    data = engine.plan_to_json(result)
    return dict(data.get("metrics", {}))


def rota_plan(
    rota_id: int,
    *,
    trigger: str = "manual",
    dry_run: bool = False,
    now: datetime | None = None,
) -> PlanOutcome:
    """Plan one rota and store the difference (or, with dry_run, only report it)."""
    now = now or timezone.now()
    rota = Rota.objects.filter(pk=rota_id).first()
    if rota is None:
        return PlanOutcome(outcome=f"rota {rota_id} does not exist")
    key = plan_outbox_key(rota.pk)
    token = None if dry_run else outbox_begin(key)
    try:
        with transaction.atomic():
            if not dry_run:
                _lock_rota(rota.pk)
            problem, releases, skipped = problem_for_rota(rota, now)
            result = engine.plan(problem)
            metrics = metrics_to_json(result)
            changes = plan_apply(rota, problem, result, releases, now)
            if dry_run:
                transaction.set_rollback(True)
                return PlanOutcome(
                    outcome=f"dry run: {len(changes)} changes", changes=changes, metrics=metrics
                )
            if changes:
                Rota.objects.filter(pk=rota.pk).update(plan_version=F("plan_version") + 1)
            rota.refresh_from_db(fields=["plan_version"])
            run = PlanRun.objects.create(
                rota=rota,
                trigger=trigger,
                status=PlanRunStatus.APPLIED,
                started_at=now,
                finished_at=timezone.now(),
                seed=problem.seed,
                metrics=metrics,
                changes=changes,
                problems=skipped,
                plan_version=rota.plan_version,
            )
            outbox_done(key, token)
    except RotaLocked:
        return PlanOutcome(outcome="another plan of this rota is running", busy=True)
    except Exception as exc:
        logger.exception("planning rota %s failed", rota.pk)
        error = f"{type(exc).__name__}: {exc}"
        if not dry_run:
            outbox_failed(key, error)
        PlanRun.objects.create(
            rota=rota,
            trigger=trigger,
            status=PlanRunStatus.FAILED,
            started_at=now,
            finished_at=timezone.now(),
            error=error,
        )
        raise
    note = f"; {len(skipped)} people left out" if skipped else ""
    return PlanOutcome(
        outcome=f"applied: {len(changes)} changes{note}",
        run=run,
        changes=changes,
        metrics=metrics,
    )
