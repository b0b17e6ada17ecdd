"""Planning through the database: read, plan, write only the difference."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from accounts.services import time_off_add
from rota.rotas.models import (
    Assignment,
    Membership,
    OutboxTask,
    PlanRun,
    PlanRunStatus,
    Release,
    Rota,
    RotaKind,
    Shift,
)
from rota.rotas.planning import rota_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
PEOPLE = [
    ("asha", "Asia/Kolkata", "IN", "Intel"),
    ("bo", "Asia/Shanghai", "CN", "Ant Group"),
    ("carl", "Europe/Berlin", "DE", "Red Hat"),
    ("dana", "America/New_York", "US", "IBM"),
    ("eli", "Australia/Sydney", "AU", "independent"),
    ("fay", "America/Los_Angeles", "US", "Microsoft"),
    ("gus", "Europe/London", "GB", "Intel"),
    ("hana", "Asia/Tokyo", "JP", "Red Hat"),
]


@pytest.fixture
def community(review_rota):
    people = []
    for username, zone, country, org in PEOPLE:
        user = make_user(username, time_zone=zone, country=country, organisation=org)
        Membership.objects.create(user=user, rota=review_rota, roles=["reviewer"])
        people.append(user)
    Membership.objects.filter(rota=review_rota).update(joined_at=NOW - timedelta(days=365))
    review_rota.horizon_weeks = 12
    review_rota.save()
    return people


def active(rota):
    return set(
        Assignment.objects.active()
        .filter(shift__rota=rota)
        .values_list("shift__key", "person__username", "role")
    )


def test_the_first_plan_fills_every_seat_of_the_horizon(community, review_rota):
    outcome = rota_plan(review_rota.pk, now=NOW)
    shifts = Shift.objects.filter(rota=review_rota)
    assert shifts.count() == 13  # the running week and 12 more
    for shift in shifts:
        assert shift.assignments.active().count() == 2, shift.unfilled
        # Two people 09:00-17:00 in zones at least 4 hours apart cover 12+ UTC hours.
        assert len(shift.covered_hours) >= 12, shift.covered_hours
        assert all(0 <= hour < 24 for hour in shift.covered_hours)
    assert outcome.run is not None and outcome.run.status == PlanRunStatus.APPLIED
    assert outcome.metrics["hard_violations"] == 0
    assert len(outcome.changes) == 26


def test_shifts_hand_over_at_the_rotas_local_time_across_dst(community, review_rota):
    review_rota.handoff_zone = "Europe/Berlin"
    review_rota.horizon_weeks = 26
    review_rota.save()
    rota_plan(review_rota.pk, now=datetime(2027, 2, 1, tzinfo=UTC))
    berlin = ZoneInfo("Europe/Berlin")
    shifts = Shift.objects.filter(rota=review_rota)
    assert {s.starts_at.astimezone(berlin).time() for s in shifts} == {time(9)}
    assert {s.starts_at.hour for s in shifts} == {7, 8}  # UTC+2 in summer, UTC+1 in winter


def test_planning_the_same_input_again_changes_nothing(community, review_rota):
    rota_plan(review_rota.pk, now=NOW)
    rota_plan(review_rota.pk, now=NOW)  # explains every seat as "kept": a new text, a new version
    before = active(review_rota)
    version = Rota.objects.get(pk=review_rota.pk).plan_version
    outcome = rota_plan(review_rota.pk, now=NOW + timedelta(minutes=5))
    assert outcome.changes == []
    assert active(review_rota) == before
    assert Rota.objects.get(pk=review_rota.pk).plan_version == version


def test_time_off_moves_only_the_conflicting_duties_and_a_few_others(community, review_rota):
    rota_plan(review_rota.pk, now=NOW)
    before = active(review_rota)
    late = Shift.objects.filter(rota=review_rota, starts_at__gte=NOW + timedelta(weeks=5)).first()
    person = late.assignments.active().first().person
    conflicting = {k for k in before if k[1] == person.username and k[0] == late.key}
    time_off_add(person, late.starts_at.date(), (late.ends_at - timedelta(days=1)).date())

    outcome = rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    after = active(review_rota)
    assert not any(k[1] == person.username and k[0] == late.key for k in after)
    removed = before - after
    assert conflicting <= removed
    assert len(removed) <= len(conflicting) + 3, outcome.changes


def test_duties_inside_the_freeze_window_never_change(community, review_rota):
    rota_plan(review_rota.pk, now=NOW)
    soon = Shift.objects.filter(rota=review_rota, starts_at__gt=NOW).order_by("starts_at").first()
    assert soon.starts_at < NOW + timedelta(weeks=review_rota.freeze_weeks)
    holder = soon.assignments.active().first()
    time_off_add(holder.person, soon.starts_at.date(), soon.ends_at.date())
    rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    holder.refresh_from_db()
    assert holder.cancelled_at is None


def test_a_person_who_changes_keeps_identity_and_the_old_seat_is_cancelled(community, review_rota):
    rota_plan(review_rota.pk, now=NOW)
    late = Shift.objects.filter(rota=review_rota, starts_at__gte=NOW + timedelta(weeks=6)).first()
    old = late.assignments.active().first()
    time_off_add(old.person, late.starts_at.date(), late.ends_at.date())
    rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    old.refresh_from_db()
    assert old.cancelled_at is not None
    assert old.sequence == 1
    replacement = late.assignments.active().exclude(pk__in=[old.pk])
    assert replacement.count() == 2
    assert all(a.explanation for a in replacement)


def test_a_dry_run_stores_nothing(community, review_rota):
    outcome = rota_plan(review_rota.pk, now=NOW, dry_run=True)
    assert len(outcome.changes) == 26
    assert not Shift.objects.exists()
    assert not Assignment.objects.exists()
    assert not PlanRun.objects.exists()


def test_a_plan_that_fails_half_way_writes_nothing_and_records_why(
    community, review_rota, monkeypatch
):
    from rota.rotas import planning

    real_create = Assignment.objects.bulk_create

    def explode(*args, **kwargs):
        real_create(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(Assignment.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        planning.rota_plan(review_rota.pk, now=NOW)
    assert not Assignment.objects.exists()
    assert not Shift.objects.exists()
    run = PlanRun.objects.get()
    assert run.status == PlanRunStatus.FAILED and "disk full" in run.error


def test_a_new_hand_off_day_takes_duties_off_the_old_shifts(community, review_rota):
    rota_plan(review_rota.pk, now=NOW)
    review_rota.handoff_weekday = 3
    review_rota.save()
    outcome = rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    future = Assignment.objects.active().filter(shift__starts_at__gt=NOW + timedelta(hours=1))
    assert {a.shift.starts_at.weekday() for a in future} == {3}
    assert all(change["name"] for change in outcome.changes)
    # At most one running shift of each pattern overlaps "now": nobody is double-booked later.
    starts = sorted({a.shift.starts_at for a in future})
    assert all(b - a >= timedelta(days=7) for a, b in pairwise(starts))


def test_a_swap_request_expires_when_the_planner_moves_its_duty(community, review_rota):
    from rota.rotas.models import SwapRequest, SwapStatus

    rota_plan(review_rota.pk, now=NOW)
    late = Shift.objects.filter(rota=review_rota, starts_at__gte=NOW + timedelta(weeks=6)).first()
    duty = late.assignments.active().first()
    swap = SwapRequest.objects.create(assignment=duty, requester=duty.person)
    time_off_add(duty.person, late.starts_at.date(), late.ends_at.date())
    rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    swap.refresh_from_db()
    assert swap.status == SwapStatus.EXPIRED


def test_saving_a_rota_loaded_before_a_plan_keeps_the_plan_version(community, review_rota):
    stale = Rota.objects.get(pk=review_rota.pk)
    rota_plan(review_rota.pk, now=NOW)
    version = Rota.objects.get(pk=review_rota.pk).plan_version
    assert version > stale.plan_version
    stale.name = "Renamed"
    stale.save()
    assert Rota.objects.get(pk=review_rota.pk).plan_version == version


@pytest.fixture
def release_rota(community):
    rota = Rota.objects.create(
        name="Release",
        slug="release",
        kind=RotaKind.RELEASE,
        handoff_weekday=2,
        handoff_time=time(14),
        handoff_zone="Europe/Berlin",
        release_every_weeks=4,
        release_weekday=2,
        release_window_days=7,
        horizon_weeks=26,
    )
    for index, user in enumerate(community):
        Membership.objects.create(
            user=user, rota=rota, roles=["lead", "shadow"] if index % 2 else ["shadow"]
        )
    return rota


def test_a_release_rota_plans_a_lead_and_a_shadow_per_release_from_the_cadence(release_rota):
    rota_plan(release_rota.pk, now=NOW)
    releases = Release.objects.filter(rota=release_rota)
    assert releases.count() >= 6
    assert {r.date.weekday() for r in releases} == {2}
    for release in releases:
        roles = sorted(release.shift.assignments.active().values_list("role", flat=True))
        assert roles == ["lead", "shadow"]


def test_a_release_that_moves_keeps_its_people_and_moves_its_shift(release_rota):
    rota_plan(release_rota.pk, now=NOW)
    release = Release.objects.filter(rota=release_rota).order_by("date")[3]
    people = set(release.shift.assignments.active().values_list("person_id", "role"))
    release.date += timedelta(days=2)
    release.save()
    rota_plan(release_rota.pk, now=NOW + timedelta(hours=1))
    release.refresh_from_db()
    shift = release.shift
    assert shift.ends_at.date() == release.date
    kept = set(shift.assignments.active().values_list("person_id", "role"))
    assert kept == people
    assert all(a.sequence >= 1 for a in shift.assignments.active())


def test_the_plan_rotas_command_prints_changes_and_metrics(community, review_rota):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("plan_rotas", "--rota", "pr-review", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "pr-review: dry run: 26 changes" in text
    assert "worst_deviation" in text
    assert not Assignment.objects.exists()


def test_time_off_enqueues_a_replan_after_commit(
    member, sent_tasks, django_capture_on_commit_callbacks
):
    OutboxTask.objects.all().delete()  # the set-up's rows, whose commits never come
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        time_off_add(member.user, date(2027, 1, 4), date(2027, 1, 8))
        # Recorded in the same transaction as the time off, sent only once it commits.
        assert OutboxTask.objects.filter(key=f"plan-rota:{member.rota_id}").exists()
        assert sent_tasks == []
    for callback in callbacks:
        callback()
    [(task, args, _countdown)] = sent_tasks
    assert task == "rota.rotas.tasks.plan_rota_task"
    assert args == [member.rota_id, "availability"]


def test_a_rotas_problem_exported_as_json_replays_in_the_engine_alone(
    community, review_rota, tmp_path
):
    import json
    import subprocess
    import sys

    from django.core.management import call_command

    path = tmp_path / "problem.json"
    call_command("plan_rotas", "--rota", "pr-review", "--export-problem", str(path))
    result = subprocess.run(
        [sys.executable, "-m", "rota.engine", "plan", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    plan = json.loads(result.stdout)
    assert len(plan["assignments"]) >= 2 * 12
    assert plan["metrics"]["hard_violations"] == 0


def test_a_burst_of_changes_queues_one_plan_per_rota(
    member, settings, sent_tasks, django_capture_on_commit_callbacks
):
    settings.ROTA_REPLAN_DEBOUNCE_SECONDS = 30
    OutboxTask.objects.all().delete()  # joining the rota asked for a plan already
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(4, 9):
            time_off_add(member.user, date(2027, 1, day), date(2027, 1, day))
    assert len(sent_tasks) == 1
    assert 29 <= sent_tasks[0][2] <= 30
    assert OutboxTask.objects.count() == 1
