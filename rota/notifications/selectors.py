"""Reads for notices: what is due, to whom, and what failed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from accounts.availability import WindowSpec
from accounts.models import User, WorkingHours
from rota.notifications.models import Notice, NoticeStatus
from rota.rotas.models import Assignment, PlanRun, PlanRunStatus, Rota

# A claim older than this belongs to a worker that died mid-send: it may not have arrived.
STALE_CLAIM = timedelta(minutes=15)


def windows_of(user_ids: Iterable[int]) -> dict[int, list[WindowSpec]]:
    found: dict[int, list[WindowSpec]] = defaultdict(list)
    for user_id, *window in WorkingHours.objects.filter(user_id__in=set(user_ids)).values_list(
        "user_id", "weekday", "start", "end", "ends_next_day"
    ):
        found[user_id].append(WindowSpec(*window))
    return found


def notice_subjects_done(kind: str, subjects: Iterable[str]) -> set[tuple[int, str]]:
    """(recipient id, subject) of notices no longer pending: sent, or failed for good."""
    return set(
        Notice.objects.filter(kind=kind, subject__in=list(subjects))
        .exclude(status=NoticeStatus.PENDING)
        .values_list("recipient_id", "subject")
    )


def assignments_starting_between(start: datetime, end: datetime) -> QuerySet[Assignment]:
    return (
        Assignment.objects.active()
        .filter(shift__starts_at__gte=start, shift__starts_at__lt=end)
        .select_related("shift__rota", "person")
        .order_by("shift__starts_at", "pk")
    )


def assignments_on_duty_at(now: datetime, started_since: datetime) -> QuerySet[Assignment]:
    """Duties that have started (no earlier than `started_since`) and not yet ended."""
    return (
        Assignment.objects.active()
        .filter(
            shift__starts_at__lte=now, shift__starts_at__gte=started_since, shift__ends_at__gt=now
        )
        .select_related("shift__rota", "person")
        .order_by("shift__starts_at", "pk")
    )


def shift_partners(assignment: Assignment) -> list[Assignment]:
    return list(
        Assignment.objects.active()
        .filter(shift_id=assignment.shift_id)
        .exclude(pk=assignment.pk)
        .select_related("person")
        .order_by("role", "person_id")
    )


@dataclass(frozen=True)
class ChangeLine:
    change: str  # "added" or "removed"
    starts_at: datetime
    role: str


def plan_run_changes_by_person(run: PlanRun) -> dict[int, list[ChangeLine]]:
    by_person: dict[int, list[ChangeLine]] = defaultdict(list)
    for change in run.changes or []:
        try:
            line = ChangeLine(
                str(change["change"]),
                datetime.fromisoformat(str(change["starts_at"])),
                str(change.get("role", "")),
            )
            by_person[int(change["person"])].append(line)
        except (KeyError, TypeError, ValueError):
            continue  # a malformed row tells nobody anything
    for lines in by_person.values():
        lines.sort(key=lambda line: (line.starts_at, line.change))
    return dict(by_person)


def plan_run_applied(run_id: int) -> PlanRun | None:
    return (
        PlanRun.objects.select_related("rota")
        .filter(pk=run_id, status=PlanRunStatus.APPLIED)
        .first()
    )


def fairness_drift(rota: Rota, now: datetime) -> dict[str, Any] | None:
    """The worst deviation from a fair share now and a week ago, from applied plans."""
    runs = PlanRun.objects.filter(rota=rota, status=PlanRunStatus.APPLIED)
    latest = runs.order_by("-started_at", "-pk").first()
    if latest is None:
        return None
    before = (
        runs.filter(started_at__lte=now - timedelta(days=7)).order_by("-started_at", "-pk").first()
    )
    now_value = float(latest.metrics.get("worst_deviation", 0.0))
    then_value = float(before.metrics.get("worst_deviation", 0.0)) if before else None
    return {
        "now": now_value,
        "week_ago": then_value,
        "change": None if then_value is None else round(now_value - then_value, 4),
    }


@dataclass(frozen=True)
class NoticeTrouble:
    notice: Notice
    unconfirmed: bool  # a worker died while sending it: it may or may not have arrived


def notices_failed_for(
    rotas: Iterable[Rota], now: datetime, limit: int = 50
) -> list[NoticeTrouble]:
    """Notices of these rotas that failed for good, or whose sending never finished."""
    rows = (
        Notice.objects.filter(rota__in=list(rotas))
        .filter(
            Q(status=NoticeStatus.FAILED)
            | Q(status=NoticeStatus.PENDING, claimed_at__lt=now - STALE_CLAIM)
        )
        .select_related("recipient", "rota")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [NoticeTrouble(n, n.status == NoticeStatus.PENDING) for n in rows]


def notices_of(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient=user).order_by("created_at", "pk")
