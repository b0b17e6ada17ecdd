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
from django.utils import timezone

from rota import engine
from rota.rotas.models import PlanRun, PlanRunStatus, PlanTrigger, Rota
from rota.rotas.outbox import outbox_begin, outbox_done, outbox_failed, outbox_put
from rota.rotas.planning.apply import plan_apply
from rota.rotas.planning.problem import (
    community_rota_ids,
    problem_for_community,
    problem_for_rota,
    releases_from_cadence,
    rota_slots,
)

# "Your duties changed": sent by rota.notifications, named here so rotas never imports it.
PLAN_NOTICES_TASK = "rota.notifications.tasks.plan_run_notices_send_task"

__all__ = [
    "PLAN_NOTICES_TASK",
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
            # NO KEY: rows that merely point at the rota (a membership, a release, an outbox
            # request's FK checks) do not wait for a plan, so a change committing meanwhile
            # cannot deadlock with the plan's own write of the outbox row it holds.
            locked = list(
                Rota.objects.select_for_update(nowait=True, no_key=True)
                .filter(pk=rota_id)
                .values_list("pk")
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
    report it); the outcome's run and changes are the rota's own.

    Where any rota of the community has its managers publish re-plans (auto_publish off), an
    automatic re-plan is kept as a preview for every rota it would change (a PlanRun awaiting
    a manager) until one of them publishes (trigger "publish")."""
    now = now or timezone.now()
    rota = Rota.objects.filter(pk=rota_id).first()
    if rota is None:
        return PlanOutcome(outcome=f"rota {rota_id} does not exist")
    community = community_rota_ids(rota.pk)
    keys = {each: plan_outbox_key(each) for each in community}
    tokens = {} if dry_run else {each: outbox_begin(key) for each, key in keys.items()}
    all_changes: dict[int, list[dict[str, Any]]] = {}
    try:
        with transaction.atomic():
            if not dry_run:
                _lock_rotas(community)
            rotas = list(Rota.objects.filter(pk__in=community).order_by("pk"))
            awaiting = (
                not dry_run
                and trigger != PlanTrigger.PUBLISH
                and not all(each.auto_publish for each in rotas)
            )
            problem, releases, skipped = problem_for_community(rotas, now)
            result = engine.plan(problem)
            metrics = metrics_to_json(result)
            all_changes = {r.pk: plan_apply(r, problem, result, releases, now) for r in rotas}
            changes = all_changes.get(rota.pk, [])
            if dry_run or awaiting:
                transaction.set_rollback(True)
            else:
                run = _runs_record(
                    rotas, rota, all_changes, trigger, PlanRunStatus.APPLIED, now, problem.seed,
                    metrics, skipped, keys, tokens,
                )  # fmt: skip
        if dry_run:
            return PlanOutcome(
                outcome=f"dry run: {len(changes)} changes",
                changes=changes,
                metrics=metrics,
                community_changes=all_changes,
            )
        if awaiting:
            with transaction.atomic():
                run = _runs_record(
                    rotas, rota, all_changes, trigger, PlanRunStatus.AWAITING, now, problem.seed,
                    metrics, skipped, keys, tokens,
                )  # fmt: skip
            return PlanOutcome(
                outcome=f"awaiting a manager: {len(changes)} changes",
                run=run,
                metrics=metrics,
                community_changes=all_changes,
            )
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


def _runs_record(
    rotas: list[Rota],
    rota: Rota,
    all_changes: dict[int, list[dict[str, Any]]],
    trigger: str,
    status: str,
    now: datetime,
    seed: int,
    metrics: dict[str, Any],
    skipped: list[dict[str, object]],
    keys: dict[int, str],
    tokens: dict[int, Any],
) -> PlanRun | None:
    """A PlanRun for the rota planned and for every rota of its community the plan changed,
    each rota's pending re-plan answered, and (for an applied plan) one notices task per run
    with changes, all in the caller's transaction. Returns the rota's own run."""
    run = None
    for each in rotas:
        mine = all_changes[each.pk]
        if each.pk != rota.pk and not mine:
            # nothing changed in a rota that was planned only as part of the community
            outbox_done(keys[each.pk], tokens.get(each.pk))
            continue
        # plan_apply raised plan_version itself if it wrote anything (feeds key on it).
        each.refresh_from_db(fields=["plan_version"])
        each_run = PlanRun.objects.create(
            rota=each,
            trigger=trigger,
            status=status,
            started_at=now,
            finished_at=timezone.now(),
            seed=seed,
            metrics=metrics,
            changes=mine,
            problems=skipped,
            plan_version=each.plan_version,
        )
        if status == PlanRunStatus.APPLIED and mine:
            outbox_put(f"plan-notices:{each_run.pk}", PLAN_NOTICES_TASK, [each_run.pk])
        if each.pk == rota.pk:
            run = each_run
        outbox_done(keys[each.pk], tokens.get(each.pk))
    return run
