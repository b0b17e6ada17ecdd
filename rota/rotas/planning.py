"""Planning: the database on one side, the pure engine on the other.

`rota_plan` reads a rota, its members, their availability (as UTC intervals), their history
and the stored plan; hands the engine plain frozen dataclasses and an explicit `now`; and
writes back only the difference, in one transaction, with a PlanRun that records the trigger,
the metrics and every change. Nothing outside this module writes plan results.

Concurrency: a run first claims the rota with a conditional UPDATE on `planning_claimed_at`
(atomic on PostgreSQL and SQLite alike), so two workers never plan one rota at once; a claim
older than CLAIM_TIMEOUT is considered abandoned (a worker that died) and may be taken over.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.selectors import unavailable_intervals_for
from rota import engine
from rota.engine.timeslots import utc_to_local_date
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Membership,
    PlanRun,
    PlanRunStatus,
    Release,
    Rota,
    RotaKind,
    Shift,
)

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)
HISTORY_WEEKS = 104
# Every 2-, 3-, ...-week shift pattern is phased from this Monday, so a slot's id never
# depends on the day the plan happened to run.
PHASE_ANCHOR = date(2024, 1, 1)


@dataclass
class PlanOutcome:
    outcome: str
    run: PlanRun | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


# --- reading -------------------------------------------------------------------------------


def _rota_rules(rota: Rota) -> engine.RotaRules:
    return engine.RotaRules(
        rota=str(rota.pk),
        kind=rota.kind,
        min_available_fraction=rota.min_available_fraction,
        min_rest=timedelta(hours=rota.min_rest_hours),
        one_per_organisation=rota.one_per_organisation,
        min_coverage_hours=rota.min_coverage_hours,
        history_half_life_weeks=rota.history_half_life_weeks,
        lead_requires_shadow=rota.lead_requires_shadow,
    )


def _first_aligned_handoff(rota: Rota, now: datetime) -> datetime:
    """The start of the shift running at `now` (or the next one), phased from PHASE_ANCHOR."""
    zone = rota.handoff_zone
    today = utc_to_local_date(now, zone)
    day = today - timedelta(days=(today.weekday() - rota.handoff_weekday) % 7)
    anchor = PHASE_ANCHOR + timedelta(days=(rota.handoff_weekday - PHASE_ANCHOR.weekday()) % 7)
    day -= timedelta(weeks=((day - anchor).days // 7) % rota.shift_weeks)
    if engine.local_to_utc(day, rota.handoff_time, zone) > now:
        day -= timedelta(weeks=rota.shift_weeks)
    return engine.local_to_utc(day, rota.handoff_time, zone)


def releases_from_cadence(rota: Rota, today: date, until: date) -> list[Release]:
    """Create the cadence's missing releases up to `until` (idempotent); return them all."""
    if rota.kind != RotaKind.RELEASE:
        return []
    if rota.release_every_weeks and rota.release_weekday is not None:
        last = rota.releases.order_by("-date").first()
        if last is not None:
            first = last.date + timedelta(weeks=rota.release_every_weeks)
        else:
            first = today + timedelta(days=(rota.release_weekday - today.weekday()) % 7)
            first += timedelta(days=rota.release_window_days)
        for day in engine.cadence_dates(first, rota.release_every_weeks, until):
            Release.objects.get_or_create(
                rota=rota,
                version=day.strftime("%Y.%m.%d"),
                defaults={"date": day, "from_cadence": True},
            )
    return list(rota.releases.filter(date__gte=today, date__lte=until).order_by("date"))


def rota_slots(rota: Rota, now: datetime) -> tuple[list[engine.Slot], dict[str, Release]]:
    horizon_end = now + timedelta(weeks=rota.horizon_weeks)
    if rota.kind == RotaKind.RELEASE:
        today = now.date()
        slots, releases = [], {}
        for release in releases_from_cadence(rota, today, horizon_end.date()):
            slot = engine.release_slot(
                str(rota.pk),
                release.version,
                release.date,
                rota.release_window_days,
                rota.handoff_time,
                rota.handoff_zone,
                rota.seat_roles,
            )
            if slot.end > now:
                slots.append(slot)
                releases[slot.id] = release
        return slots, releases
    slots = engine.weekly_slots(
        str(rota.pk),
        rota.handoff_weekday,
        rota.handoff_time,
        rota.handoff_zone,
        _first_aligned_handoff(rota, now),
        horizon_end,
        rota.seat_roles,
        weeks=rota.shift_weeks,
    )
    return list(slots), {}


def _windows(user: User) -> tuple[engine.Window, ...]:
    return tuple(engine.Window(w.weekday, w.start, w.end) for w in user.working_hours.all())


def _person(
    user: User,
    memberships: list[Membership],
    history: list[engine.PastDuty],
    start: datetime,
    end: datetime,
) -> engine.Person:
    # A member counts from the day they joined (no debt for duties before that), but may take
    # any slot of this plan, the one already running included.
    joined = min((m.joined_at for m in memberships), default=None)
    return engine.Person(
        id=str(user.pk),
        zone=user.time_zone,
        organisation=user.organisation,
        windows=_windows(user),
        unavailable=tuple(
            engine.Interval(a, b) for a, b in unavailable_intervals_for(user, start, end)
        ),
        eligibility=tuple(
            engine.Eligibility(
                rota=str(m.rota_id),
                roles=frozenset(m.roles or m.rota.roles),
                min_weeks_between=m.min_weeks_between,
                max_duties=m.max_duties,
            )
            for m in memberships
            if not m.paused
        ),
        history=tuple(history),
        joined=min(joined, start) if joined else None,
    )


def problem_for_rota(rota: Rota, now: datetime) -> tuple[engine.Problem, dict[str, Release]]:
    slots, releases = rota_slots(rota, now)
    horizon_end = max((s.end for s in slots), default=now)
    first_start = min((s.start for s in slots), default=now)
    slot_ids = {s.id for s in slots}
    freeze_until = now + timedelta(weeks=rota.freeze_weeks)

    current = list(
        Assignment.objects.active()
        .filter(shift__rota=rota, shift__key__in=slot_ids)
        .select_related("shift")
    )
    frozen, previous = [], []
    for a in current:
        item = engine.Assignment(a.shift.key, str(a.person_id), a.role)
        keep = a.shift.starts_at < freeze_until or a.source != AssignmentSource.PLANNED
        (frozen if keep else previous).append(item)

    memberships = list(
        Membership.objects.filter(rota=rota)
        .select_related("rota", "user")
        .order_by("joined_at", "pk")
    )
    user_ids = {m.user_id for m in memberships} | {a.person_id for a in current}
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=user_ids).prefetch_related("working_hours", "time_off")
    }
    by_user: dict[int, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_user[m.user_id].append(m)

    history_start = now - timedelta(weeks=HISTORY_WEEKS)
    history: dict[int, list[engine.PastDuty]] = defaultdict(list)
    past = (
        Assignment.objects.active()
        .filter(person_id__in=user_ids, shift__rota=rota, shift__starts_at__gte=history_start)
        .exclude(shift__key__in=slot_ids)
        .filter(shift__starts_at__lt=now)
        .values_list("person_id", "role", "shift__starts_at", "shift__ends_at")
    )
    for person_id, role, starts_at, ends_at in past:
        history[person_id].append(engine.PastDuty(str(rota.pk), starts_at, ends_at, role))

    people = tuple(
        _person(users[uid], by_user.get(uid, []), history.get(uid, []), first_start, horizon_end)
        for uid in sorted(users)
    )
    problem = engine.Problem(
        rotas=(_rota_rules(rota),),
        people=people,
        slots=tuple(slots),
        frozen=tuple(frozen),
        previous=tuple(previous),
        seed=rota.pk,
        now=now,
    )
    return problem, releases


# --- writing -------------------------------------------------------------------------------


def _claim(rota_id: int, now: datetime) -> bool:
    claimed = (
        Rota.objects.filter(pk=rota_id)
        .filter(
            Q(planning_claimed_at__isnull=True) | Q(planning_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(planning_claimed_at=now)
    )
    return claimed == 1


def _release_claim(rota_id: int, now: datetime) -> None:
    Rota.objects.filter(pk=rota_id, planning_claimed_at=now).update(planning_claimed_at=None)


def _display(user_id: int, names: dict[int, str]) -> str:
    return names.get(user_id, f"#{user_id}")


def plan_apply(
    rota: Rota,
    problem: engine.Problem,
    result: engine.Plan,
    releases: dict[str, Release],
    now: datetime,
) -> list[dict[str, Any]]:
    """Write the difference between the stored plan and `result`; return the changes."""
    slots = {s.id: s for s in problem.slots}
    shifts = {s.key: s for s in Shift.objects.filter(rota=rota, key__in=slots)}
    coverage = {m.slot_id: m for m in result.metrics.slots}
    unfilled: dict[str, list[dict[str, str]]] = defaultdict(list)
    for u in result.unfilled:
        unfilled[u.slot_id].append({"role": u.role, "reason": u.reason})
    explanations = {(e.slot_id, e.person_id, e.role): e.text for e in result.explanations}

    moved_shift_ids: set[int] = set()
    for slot in problem.slots:
        shift = shifts.get(slot.id)
        covered = _covered_hours(coverage.get(slot.id))
        fields = {
            "starts_at": slot.start,
            "ends_at": slot.end,
            "release": releases.get(slot.id),
            "covered_hours": covered,
            "unfilled": unfilled.get(slot.id, []),
        }
        if shift is None:
            shifts[slot.id] = Shift.objects.create(rota=rota, key=slot.id, **fields)
            continue
        if shift.starts_at != slot.start or shift.ends_at != slot.end:
            moved_shift_ids.add(shift.pk)
        dirty = [name for name, value in fields.items() if getattr(shift, name) != value]
        for name in dirty:
            setattr(shift, name, fields[name])
        if dirty:
            shift.save(update_fields=dirty)

    wanted = {(a.slot_id, int(a.person_id), a.role) for a in result.assignments}
    stored = list(
        Assignment.objects.active()
        .filter(shift__rota=rota, shift__key__in=slots)
        .select_related("shift")
    )
    have = {(a.shift.key, a.person_id, a.role): a for a in stored}
    names = dict(
        User.objects.filter(pk__in={p for _, p, _ in wanted | set(have)}).values_list(
            "pk", "display_name"
        )
    )

    changes: list[dict[str, Any]] = []
    touched_shifts: set[int] = set(moved_shift_ids)
    for key in sorted(set(have) - wanted):
        assignment = have[key]
        assignment.cancelled_at = now
        assignment.sequence = F("sequence") + 1
        assignment.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        touched_shifts.add(assignment.shift_id)
        changes.append(_change("removed", key, assignment.shift, names))
    new_rows = []
    for key in sorted(wanted - set(have)):
        shift = shifts[key[0]]
        new_rows.append(
            Assignment(
                shift=shift,
                person_id=key[1],
                role=key[2],
                explanation=explanations.get((key[0], str(key[1]), key[2]), ""),
            )
        )
        touched_shifts.add(shift.pk)
        changes.append(_change("added", key, shift, names))
    Assignment.objects.bulk_create(new_rows)

    # People who keep their seat: a shift that moved, or whose co-workers changed, is a changed
    # calendar event for them too, so its sequence is raised.
    for key in wanted & set(have):
        assignment = have[key]
        text = explanations.get((key[0], str(key[1]), key[2]), assignment.explanation)
        update: dict[str, Any] = {}
        if assignment.shift_id in touched_shifts:
            update["sequence"] = F("sequence") + 1
            update["updated_at"] = now
        if text != assignment.explanation:
            update["explanation"] = text
        if update:
            Assignment.objects.filter(pk=assignment.pk).update(**update)
    return changes


def _covered_hours(slot_metrics: engine.SlotMetrics | None) -> list[int]:
    return list(slot_metrics.covered_utc_hours) if slot_metrics else []


def _change(
    kind: str, key: tuple[str, int, str], shift: Shift, names: dict[int, str]
) -> dict[str, Any]:
    return {
        "change": kind,
        "shift": key[0],
        "starts_at": shift.starts_at.astimezone(UTC).isoformat(),
        "person": key[1],
        "name": _display(key[1], names),
        "role": key[2],
    }


def metrics_to_json(result: engine.Plan) -> dict[str, Any]:
    data = engine.plan_to_json(result)
    return dict(data.get("metrics", {}))


def rota_plan(
    rota_id: int,
    *,
    trigger: str = "manual",
    dry_run: bool = False,
    now: datetime | None = None,
    requested_at: datetime | None = None,
) -> PlanOutcome:
    """Plan one rota and store the difference (or, with dry_run, only report it)."""
    now = now or timezone.now()
    rota = Rota.objects.filter(pk=rota_id).first()
    if rota is None:
        return PlanOutcome(outcome=f"rota {rota_id} does not exist")
    if (
        requested_at is not None
        and PlanRun.objects.filter(
            rota=rota, status=PlanRunStatus.APPLIED, started_at__gte=requested_at
        ).exists()
    ):
        return PlanOutcome(outcome="already planned since the request (debounced)")
    if not dry_run and not _claim(rota.pk, now):
        return PlanOutcome(outcome="another plan of this rota is running")
    try:
        return _plan_claimed(rota, trigger=trigger, dry_run=dry_run, now=now)
    finally:
        if not dry_run:
            _release_claim(rota.pk, now)


def _plan_claimed(rota: Rota, *, trigger: str, dry_run: bool, now: datetime) -> PlanOutcome:
    try:
        with transaction.atomic():
            problem, releases = problem_for_rota(rota, now)
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
