"""Writes of the managers' planning controls: preview a re-plan, publish it, choose whether
re-plans publish themselves. Each checks that the actor manages the rota and leaves a line in
the audit log (ManagerAction) in the same transaction as what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from rota.rotas.dashboard import rotas_managed_by
from rota.rotas.models import (
    ManagerAction,
    ManagerActionKind,
    PlanRun,
    PlanRunStatus,
    PlanTrigger,
    Rota,
)
from rota.rotas.planning import PlanOutcome, rota_plan


def rota_manager_check(actor: User, rota: Rota) -> None:
    if not rotas_managed_by(actor).filter(pk=rota.pk).exists():
        raise PermissionDenied("Only this rota's managers may do this.")


@dataclass
class PlanPreview:
    changes: list[dict[str, Any]]
    before: dict[str, Any]
    after: dict[str, Any]
    gained: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lost: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _latest_applied_metrics(rota: Rota) -> dict[str, Any]:
    run = (
        PlanRun.objects.filter(rota=rota, status=PlanRunStatus.APPLIED)
        .order_by("-started_at", "-pk")
        .first()
    )
    return dict(run.metrics) if run else {}


def rota_plan_preview(actor: User, rota: Rota, *, now: datetime | None = None) -> PlanPreview:
    """What a re-plan now would change, without storing it: who gains and who loses which
    duty, and the planner's metrics before and after."""
    rota_manager_check(actor, rota)
    outcome = rota_plan(rota.pk, trigger=PlanTrigger.PUBLISH, dry_run=True, now=now)
    changes = [{**c, "starts_at": datetime.fromisoformat(c["starts_at"])} for c in outcome.changes]
    preview = PlanPreview(changes, _latest_applied_metrics(rota), outcome.metrics)
    for change in changes:
        side = preview.gained if change["change"] == "added" else preview.lost
        side.setdefault(change["name"], []).append(change)
    ManagerAction.objects.create(
        rota=rota,
        actor=actor,
        kind=ManagerActionKind.PREVIEW,
        summary=f"Previewed a re-plan: {len(changes)} changes",
        created_at=now or timezone.now(),
    )
    return preview


def rota_plan_publish(actor: User, rota: Rota, *, now: datetime | None = None) -> PlanOutcome:
    """Re-plan now and store it. The same inputs give the same plan as the preview; if
    availability changed in between, what is published is the plan for the data of now, and
    the page shows exactly what changed."""
    rota_manager_check(actor, rota)
    outcome = rota_plan(rota.pk, trigger=PlanTrigger.PUBLISH, now=now)
    if outcome.busy:
        raise ValidationError("Another plan of this rota is running; publish again in a moment.")
    if outcome.run is None:
        raise ValidationError(outcome.outcome)
    with transaction.atomic():
        PlanRun.objects.filter(pk=outcome.run.pk).update(published_by=actor)
        ManagerAction.objects.create(
            rota=rota,
            actor=actor,
            kind=ManagerActionKind.PUBLISH,
            summary=f"Published a re-plan: {len(outcome.changes)} changes",
            details={"plan_run": outcome.run.pk},
            created_at=now or timezone.now(),
        )
    return outcome


@transaction.atomic
def rota_auto_publish_set(actor: User, rota: Rota, enabled: bool) -> None:
    rota_manager_check(actor, rota)
    if rota.auto_publish == enabled:
        return
    Rota.objects.filter(pk=rota.pk).update(auto_publish=enabled)
    rota.auto_publish = enabled
    ManagerAction.objects.create(
        rota=rota,
        actor=actor,
        kind=ManagerActionKind.AUTO_PUBLISH,
        summary="Re-plans now publish automatically"
        if enabled
        else "Re-plans now wait for a manager to publish them",
    )
