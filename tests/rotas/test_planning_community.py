"""Planning a community: every rota sharing people with the changed one, in one engine run."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import DutyShare
from rota.rotas.models import Assignment, Membership, PlanRun, Rota, RotaKind
from rota.rotas.planning import community_rota_ids, rota_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London", "Asia/Tokyo"]


@pytest.fixture
def triage_rota(db: None) -> Rota:
    return Rota.objects.create(
        name="Triage", slug="triage", kind=RotaKind.TRIAGE, seats=1, handoff_zone="UTC"
    )


@pytest.fixture
def two_rotas(review_rota: Rota, triage_rota: Rota) -> list:
    """Five reviewers, three triagers, and ana and ben in both."""
    people = []
    for i, zone in enumerate(ZONES):
        user = make_user(f"rev{i}", time_zone=zone, organisation=f"org{i}")
        Membership.objects.create(user=user, rota=review_rota, roles=["reviewer"])
        people.append(user)
    for i in range(3):
        user = make_user(f"tri{i}", time_zone="Europe/Paris", organisation=f"tri-org{i}")
        Membership.objects.create(user=user, rota=triage_rota, roles=["triager"])
    for name in ("ana", "ben"):
        user = make_user(name, time_zone="Europe/Berlin", organisation=f"{name}-org")
        Membership.objects.create(user=user, rota=review_rota, roles=["reviewer"])
        Membership.objects.create(user=user, rota=triage_rota, roles=["triager"])
        people.append(user)
    Membership.objects.update(joined_at=NOW - timedelta(days=365))
    Rota.objects.update(horizon_weeks=12)
    return people


def duties(username: str) -> list[tuple[datetime, int]]:
    return sorted(
        Assignment.objects.active()
        .filter(person__username=username)
        .values_list("shift__starts_at", "shift__rota_id")
    )


def test_rotas_sharing_people_form_one_community(review_rota, triage_rota, two_rotas):
    lonely = Rota.objects.create(name="Other", slug="other", kind=RotaKind.TRIAGE, seats=1)
    assert community_rota_ids(review_rota.pk) == sorted([review_rota.pk, triage_rota.pk])
    assert community_rota_ids(triage_rota.pk) == sorted([review_rota.pk, triage_rota.pk])
    assert community_rota_ids(lonely.pk) == [lonely.pk]


def test_planning_one_rota_plans_its_whole_community_with_a_run_for_each(
    review_rota, triage_rota, two_rotas
):
    outcome = rota_plan(review_rota.pk, now=NOW)
    assert outcome.metrics["hard_violations"] == 0
    assert Assignment.objects.active().filter(shift__rota=triage_rota).exists()
    assert set(PlanRun.objects.values_list("rota_id", flat=True)) == {
        review_rota.pk,
        triage_rota.pk,
    }
    assert outcome.run is not None and outcome.run.rota_id == review_rota.pk


def test_a_cap_per_quarter_holds_across_the_rotas_of_a_community(
    review_rota, triage_rota, two_rotas
):
    make = {u.username: u for u in two_rotas}
    ana = make["ana"]
    ana.max_duties_per_quarter = 1
    ana.save()
    rota_plan(review_rota.pk, now=NOW)
    starts = [start for start, _ in duties("ana")]
    assert starts, "ana still serves"
    for a, b in itertools.pairwise(starts):
        assert (b - a).days >= 91


def test_a_half_share_gives_fewer_duties_than_a_full_one(review_rota, triage_rota, two_rotas):
    make = {u.username: u for u in two_rotas}
    ben = make["ben"]
    ben.duty_share = DutyShare.HALF
    ben.save()
    rota_plan(review_rota.pk, now=NOW)
    assert len(duties("ben")) < len(duties("ana"))


def test_a_kept_duty_keeps_the_reason_it_was_first_given(review_rota, triage_rota, two_rotas):
    rota_plan(review_rota.pk, now=NOW)
    later = Assignment.objects.active().filter(shift__starts_at__gt=NOW + timedelta(weeks=4))
    first = {a.pk: a.first_reason for a in later}
    assert all(first.values())
    rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    for a in Assignment.objects.active().filter(pk__in=first):
        assert a.first_reason == first[a.pk]
        assert a.explanation.startswith(first[a.pk])


def test_a_duty_planned_before_reasons_were_kept_takes_its_reason_from_the_explanation(
    review_rota, triage_rota, two_rotas
):
    rota_plan(review_rota.pk, now=NOW)
    later = Assignment.objects.active().filter(shift__starts_at__gt=NOW + timedelta(weeks=4))
    old = "As reviewer: of the 7 people available then, you were among the most owed."
    kept = list(later.values_list("pk", flat=True))
    later.update(first_reason="", explanation=f"{old} Your fair share is 2.00 duties.")
    rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    for a in Assignment.objects.active().filter(pk__in=kept):
        assert a.explanation.startswith(old)


def test_the_exported_problem_holds_the_whole_community(
    review_rota, triage_rota, two_rotas, tmp_path
):
    import json
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "community.json"
    call_command("plan_rotas", "--rota", "triage", "--export-problem", str(path), stdout=StringIO())
    data = json.loads(path.read_text())
    assert sorted(r["rota"] for r in data["rotas"]) == sorted(
        [str(review_rota.pk), str(triage_rota.pk)]
    )


def test_planning_every_rota_reports_the_community_once(review_rota, triage_rota, two_rotas):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("plan_rotas", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert sorted(item["rota"] for item in report) == ["pr-review", "triage"]
    assert PlanRun.objects.count() == 2


def test_a_newcomer_gets_their_share_at_once_and_is_told_who_gave_it(
    review_rota, triage_rota, two_rotas
):
    rota_plan(review_rota.pk, now=NOW)
    newbie = make_user("newbie", time_zone="Europe/Berlin", organisation="newbie-org")
    Membership.objects.create(user=newbie, rota=review_rota, roles=["reviewer"])
    outcome = rota_plan(review_rota.pk, now=NOW + timedelta(hours=1))
    mine = list(Assignment.objects.active().filter(person=newbie))
    share = next(
        p["fair_share"] for p in outcome.metrics["people"] if p["person_id"] == str(newbie.pk)
    )
    assert len(mine) >= int(share) >= 1
    moved = [a for a in mine if "moved to you from" in a.explanation]
    assert moved
    giver = moved[0].explanation.split("moved to you from ", 1)[1].split(":")[0]
    assert giver in {u.name for u in two_rotas}
