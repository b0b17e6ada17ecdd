"""Planning: the database on one side, the pure engine on the other.

`rota_plan` plans a rota's *community*: the rota and every rota sharing people with it,
directly or through others, in one engine run, so limits across rotas ("one duty of any kind
every N weeks", rest between any two duties, caps per quarter) hold. It reads the rotas, their
members, their availability (as UTC intervals), their history and the stored plans; hands the
engine plain frozen dataclasses and an explicit `now`; and writes back only the difference,
in one transaction, with a PlanRun per rota that records the trigger, the metrics and every
change. Nothing outside this package writes plan results: `problem` reads, `apply` writes the
difference, and this module runs the two in order.

Concurrency: a run holds the row lock (SELECT ... FOR UPDATE NOWAIT) of every rota of the
community, taken in id order so two runs over overlapping communities cannot deadlock, for
its whole read-plan-write transaction, so two workers never plan one rota at once and a swap
taken meanwhile waits for the plan instead of being undone by it. The lock is the database's: it
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
from rota.rotas.planning.problem import (
    community_rota_ids,
    problem_for_community,
    problem_for_rota,
    releases_from_cadence,
    rota_slots,
)

__all__ = [
    "PlanOutcome",
    "community_rota_ids",
    "plan_apply",
    "plan_outbox_key",
    "problem_for_community",
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
    #: the changes of every rota of the community planned with it, by rota id
    community_changes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class RotaLocked(Exception):
    """Another transaction holds the rota's row."""


def _lock_rotas(rota_ids: list[int]) -> None:
    """Lock every rota's row, one at a time in id order (a fixed order: two runs over
    overlapping communities wait or give up, never deadlock)."""
    for rota_id in sorted(rota_ids):
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
    """Plan a rota with its community and store the difference (or, with dry_run, only
    report it); the outcome's run and changes are the rota's own."""
    now = now or timezone.now()
    rota = Rota.objects.filter(pk=rota_id).first()
    if rota is None:
        return PlanOutcome(outcome=f"rota {rota_id} does not exist")
    community = community_rota_ids(rota.pk)
    keys = {rota_id: plan_outbox_key(rota_id) for rota_id in community}
    tokens = {} if dry_run else {rota_id: outbox_begin(key) for rota_id, key in keys.items()}
    try:
        with transaction.atomic():
            if not dry_run:
                _lock_rotas(community)
            rotas = list(Rota.objects.filter(pk__in=community).order_by("pk"))
            problem, releases, skipped = problem_for_community(rotas, now)
            result = engine.plan(problem)
            metrics = metrics_to_json(result)
            all_changes = {r.pk: plan_apply(r, problem, result, releases, now) for r in rotas}
            changes = all_changes.get(rota.pk, [])
            if dry_run:
                transaction.set_rollback(True)
                return PlanOutcome(
                    outcome=f"dry run: {len(changes)} changes",
                    changes=changes,
                    metrics=metrics,
                    community_changes=all_changes,
                )
            run = None
            for each in rotas:
                mine = all_changes[each.pk]
                if each.pk != rota.pk and not mine:
                    # nothing changed in a rota that was planned only as part of the community
                    outbox_done(keys[each.pk], tokens[each.pk])
                    continue
                if mine:
                    Rota.objects.filter(pk=each.pk).update(plan_version=F("plan_version") + 1)
                each.refresh_from_db(fields=["plan_version"])
                each_run = PlanRun.objects.create(
                    rota=each,
                    trigger=trigger,
                    status=PlanRunStatus.APPLIED,
                    started_at=now,
                    finished_at=timezone.now(),
                    seed=problem.seed,
                    metrics=metrics,
                    changes=mine,
                    problems=skipped,
                    plan_version=each.plan_version,
                )
                if each.pk == rota.pk:
                    run = each_run
                outbox_done(keys[each.pk], tokens[each.pk])
    except RotaLocked:
        return PlanOutcome(outcome="another plan of this rota is running", busy=True)
    except Exception as exc:
        logger.exception("planning rota %s failed", rota.pk)
        error = f"{type(exc).__name__}: {exc}"
        if not dry_run:
            for key in keys.values():
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
        community_changes=all_changes,
    )
