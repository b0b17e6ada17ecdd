"""Planning: the database on one side, the pure engine on the other.

`rota_plan` reads a rota, its members, their availability (as UTC intervals), their history
and the stored plan; hands the engine plain frozen dataclasses and an explicit `now`; and
writes back only the difference, in one transaction, with a PlanRun that records the trigger,
the metrics and every change. Nothing outside this package writes plan results:
`problem` reads, `apply` writes the difference, and this module runs the two in order.

Concurrency: a run first claims the rota with a conditional UPDATE on `planning_claimed_at`
(atomic on PostgreSQL and SQLite alike), so two workers never plan one rota at once; a claim
older than CLAIM_TIMEOUT is considered abandoned (a worker that died) and may be taken over.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rota import engine
from rota.rotas.models import PlanRun, PlanRunStatus, Rota
from rota.rotas.planning.apply import plan_apply
from rota.rotas.planning.problem import problem_for_rota, releases_from_cadence, rota_slots

__all__ = [
    "PlanOutcome",
    "plan_apply",
    "problem_for_rota",
    "releases_from_cadence",
    "rota_plan",
    "rota_slots",
]

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass
class PlanOutcome:
    outcome: str
    run: PlanRun | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    busy: bool = False  # another run holds the rota: try again shortly


class ClaimLost(Exception):
    """Another worker took over this rota's claim (ours was older than CLAIM_TIMEOUT)."""


def _claim(rota_id: int) -> datetime | None:
    """Claim the rota for one run; the claim is wall-clock time, whatever `now` the plan uses."""
    claim = timezone.now()
    claimed = (
        Rota.objects.filter(pk=rota_id)
        .filter(
            Q(planning_claimed_at__isnull=True) | Q(planning_claimed_at__lt=claim - CLAIM_TIMEOUT)
        )
        .update(planning_claimed_at=claim)
    )
    return claim if claimed == 1 else None


def _release_claim(rota_id: int, claim: datetime) -> None:
    Rota.objects.filter(pk=rota_id, planning_claimed_at=claim).update(planning_claimed_at=None)


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
    if dry_run:
        return _plan_claimed(rota, trigger=trigger, claim=None, now=now)
    claim = _claim(rota.pk)
    if claim is None:
        return PlanOutcome(outcome="another plan of this rota is running", busy=True)
    try:
        return _plan_claimed(rota, trigger=trigger, claim=claim, now=now)
    finally:
        _release_claim(rota.pk, claim)


def _plan_claimed(
    rota: Rota, *, trigger: str, claim: datetime | None, now: datetime
) -> PlanOutcome:
    try:
        with transaction.atomic():
            if claim is not None:
                # Lock the rota row for the whole read-plan-write: a swap taken meanwhile
                # (swap_request_accept locks the same row) waits for this plan, and is then
                # read by the next one, instead of being undone by a plan read before it.
                # Re-checking the claim under the lock makes sure no takeover happened.
                locked = Rota.objects.select_for_update().filter(
                    pk=rota.pk, planning_claimed_at=claim
                )
                if not list(locked.values_list("pk", flat=True)):
                    raise ClaimLost(f"rota {rota.pk}: the planning claim was taken over")
            problem, releases = problem_for_rota(rota, now)
            result = engine.plan(problem)
            metrics = metrics_to_json(result)
            changes = plan_apply(rota, problem, result, releases, now)
            if claim is None:
                transaction.set_rollback(True)
                return PlanOutcome(
                    outcome=f"dry run: {len(changes)} changes", changes=changes, metrics=metrics
                )
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
                plan_version=rota.plan_version,
            )
    except Exception as exc:
        logger.exception("planning rota %s failed", rota.pk)
        run = PlanRun.objects.create(
            rota=rota,
            trigger=trigger,
            status=PlanRunStatus.FAILED,
            started_at=now,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}",
        )
        raise
    return PlanOutcome(
        outcome=f"applied: {len(changes)} changes", run=run, changes=changes, metrics=metrics
    )
