"""The release managers' pages: dashboard, fairness, preview and publish, overrides, audit log.

The fixed cast: rhea manages the PR-review rota; vera volunteers in it; otto is an outsider;
mo manages another rota only.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import TimeOff, User
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    ManagerAction,
    ManagerActionKind,
    Membership,
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
]


@pytest.fixture
def community(review_rota: Rota, release_manager: User) -> list[User]:
    people = []
    for username, zone, country, org in PEOPLE:
        user = make_user(username, time_zone=zone, country=country, organisation=org)
        Membership.objects.create(user=user, rota=review_rota, roles=["reviewer"])
        people.append(user)
    Membership.objects.filter(rota=review_rota).update(joined_at=NOW - timedelta(days=365))
    Rota.objects.filter(pk=review_rota.pk).update(horizon_weeks=12, min_coverage_hours=16)
    review_rota.refresh_from_db()
    rota_plan(review_rota.pk, now=NOW)
    return people


@pytest.fixture
def other_manager(db: None) -> User:
    mo = make_user("mo")
    triage = Rota.objects.create(name="Triage", slug="triage", kind=RotaKind.TRIAGE)
    triage.managers.add(mo)
    return mo


MANAGER_PAGES = [
    "/manage/",
    "/manage/pr-review/fairness/",
    "/manage/pr-review/fairness/?format=csv",
    "/manage/pr-review/plan/",
    "/manage/pr-review/override/",
]


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_a_volunteer_and_another_rotas_manager_get_403_on_every_manager_page(
    client: Client, url: str, community: list[User], other_manager: User
) -> None:
    client.force_login(community[0])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "publish"}).status_code in {403, 405}
    client.force_login(other_manager)
    expected = 200 if url == "/manage/" else 403
    assert client.get(url).status_code == expected
    assert client.post(url.split("?")[0], {"action": "publish"}).status_code in {403, 405}
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


@time_machine.travel(NOW + timedelta(minutes=5), tick=False)
def test_the_dashboard_shows_duty_in_the_managers_zone_and_utc_with_gaps_and_swaps(
    client: Client, community: list[User], release_manager: User, review_rota: Rota
) -> None:
    TimeOff.objects.create(user=community[0], start=date(2026, 12, 1), end=date(2026, 12, 20))
    client.force_login(release_manager)
    page = client.get("/manage/?weeks=4")
    assert page.status_code == 200
    html = page.content.decode()
    assert "PR review" in html and "Europe/Berlin" in html
    first = Shift.objects.filter(rota=review_rota, ends_at__gt=NOW).order_by("starts_at").first()
    assert f"{first.starts_at:%H:%M} UTC" in html
    overview = page.context["overviews"][0]
    assert len(overview.weeks) in (4, 5)
    # The planner's coverage of each week against the rota's 16-hour minimum.
    assert {w.shift.pk for w in overview.gaps} == {
        w.shift.pk for w in overview.weeks if len(w.shift.covered_hours) < 16 or w.shift.unfilled
    }
    assert client.get("/manage/?weeks=nonsense").context["weeks"] == 12
    assert client.get("/manage/?weeks=99999").context["weeks"] == 156
    assert "Manage" in client.get("/").content.decode()  # in the navigation, for managers


def test_the_navigation_offers_the_dashboard_only_to_managers(
    client: Client, community: list[User]
) -> None:
    client.force_login(community[0])
    assert "/manage/" not in client.get("/").content.decode()


def test_a_thousand_person_rotas_dashboard_reads_in_a_bounded_number_of_queries(
    client: Client, release_manager: User, review_rota: Rota
) -> None:
    users = User.objects.bulk_create(
        User(username=f"p{i}", email=f"p{i}@example.org", time_zone="Europe/Paris")
        for i in range(1000)
    )
    Membership.objects.bulk_create(
        Membership(user=u, rota=review_rota, roles=["reviewer"]) for u in users
    )
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    shifts = Shift.objects.bulk_create(
        Shift(
            rota=review_rota,
            key=f"w{i}",
            starts_at=start + timedelta(weeks=i),
            ends_at=start + timedelta(weeks=i + 1),
            covered_hours=list(range(8, 18)),
        )
        for i in range(12)
    )
    Assignment.objects.bulk_create(
        Assignment(shift=s, person=users[(i * 2 + k) % 1000], role="reviewer")
        for i, s in enumerate(shifts)
        for k in range(2)
    )
    client.force_login(release_manager)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/manage/?weeks=2").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get("/manage/?weeks=12").status_code == 200
    assert len(many) == len(few) <= 25


def test_the_fairness_report_shows_the_planners_own_numbers(
    client: Client, community: list[User], release_manager: User, review_rota: Rota
) -> None:
    run = PlanRun.objects.filter(rota=review_rota, status=PlanRunStatus.APPLIED).latest()
    client.force_login(release_manager)
    page = client.get("/manage/pr-review/fairness/")
    report = page.context["report"]
    by_id = {p.person_id: p for p in report.people}
    for row in run.metrics["people"]:
        person = by_id[int(row["person_id"])]
        assert (person.duties, person.load, person.fair_share, person.deviation) == (
            row["duties"],
            row["load"],
            row["fair_share"],
            row["deviation"],
        )
    organisations = {g.name: g for g in report.organisations}
    for row in run.metrics["organisations"]:
        assert organisations[row["organisation"]].share == row["share"]
        assert organisations[row["organisation"]].expected_share == row["expected_share"]
    # The heat map draws exactly the coverage the planner computed for each slot.
    covered = {s["slot_id"]: s["covered_utc_hours"] for s in run.metrics["slots"]}
    for shift in report.weeks:
        assert sorted(shift.covered_hours) == sorted(covered[shift.key])
    regions = {g.name: g for g in report.regions}
    assert set(regions) == {"APAC", "EMEA", "Americas"}
    assert regions["APAC"].duties == sum(p.duties for p in report.people if p.region == "APAC")
    assert abs(sum(g.share for g in report.regions) - 1) < 0.01
    html = page.content.decode()
    assert html.count("<svg") == 4 and "<title" in html and "<desc" in html

    exported = client.get("/manage/pr-review/fairness/?format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    people = [r for r in rows if r["kind"] == "person"]
    assert {float(r["fair_share"]) for r in people} == {
        r["fair_share"] for r in run.metrics["people"]
    }


def test_a_name_that_looks_like_a_formula_is_quoted_in_the_csv(
    client: Client, community: list[User], release_manager: User
) -> None:
    User.objects.filter(pk=community[0].pk).update(display_name="=HYPERLINK(1)")
    client.force_login(release_manager)
    text = client.get("/manage/pr-review/fairness/?format=csv").content.decode()
    assert "'=HYPERLINK(1)" in text


def test_preview_changes_nothing_and_publish_applies_and_logs_it(
    client: Client, community: list[User], release_manager: User, review_rota: Rota
) -> None:
    # Someone takes time off: the stored plan is now stale.
    TimeOff.objects.create(
        user=community[2],
        start=datetime.now(UTC).date() + timedelta(days=20),
        end=datetime.now(UTC).date() + timedelta(days=40),
    )
    before = set(Assignment.objects.active().values_list("pk", flat=True))
    client.force_login(release_manager)
    page = client.post("/manage/pr-review/plan/", {"action": "preview"})
    assert page.status_code == 200
    preview = page.context["preview"]
    assert set(Assignment.objects.active().values_list("pk", flat=True)) == before
    assert "worst_deviation" in preview.after
    published = client.post("/manage/pr-review/plan/", {"action": "publish"}, follow=True)
    assert "Published:" in published.content.decode()
    run = PlanRun.objects.filter(rota=review_rota).latest()
    assert run.trigger == "publish" and run.published_by == release_manager
    assert len(run.changes) == len(preview.changes)
    kinds = list(ManagerAction.objects.values_list("kind", flat=True))
    assert kinds == [ManagerActionKind.PUBLISH, ManagerActionKind.PREVIEW]


def test_with_automatic_publishing_off_a_replan_waits_for_a_manager(
    client: Client, community: list[User], release_manager: User, review_rota: Rota
) -> None:
    client.force_login(release_manager)
    client.post("/manage/pr-review/plan/", {"action": "auto_off"})
    review_rota.refresh_from_db()
    assert review_rota.auto_publish is False
    before = set(Assignment.objects.active().values_list("pk", flat=True))
    Membership.objects.filter(user=community[0]).update(paused=True)
    outcome = rota_plan(review_rota.pk, trigger="membership")
    assert outcome.outcome.startswith("awaiting a manager")
    assert set(Assignment.objects.active().values_list("pk", flat=True)) == before
    assert "awaits publishing" in client.get("/manage/").content.decode()
    client.post("/manage/pr-review/plan/", {"action": "publish"})
    assert set(Assignment.objects.active().values_list("pk", flat=True)) != before


def _future_shift(rota: Rota, weeks: int = 4) -> Shift:
    return (
        Shift.objects.filter(rota=rota, starts_at__gt=datetime.now(UTC) + timedelta(weeks=weeks))
        .order_by("starts_at")
        .first()
    )


def test_an_override_is_checked_shown_confirmed_kept_by_replans_logged_and_told(
    client: Client,
    community: list[User],
    release_manager: User,
    review_rota: Rota,
    tasks_run_in_process: list[str],
    django_capture_on_commit_callbacks,
) -> None:
    shift = _future_shift(review_rota)
    seat = shift.assignments.filter(cancelled_at__isnull=True).first()
    holders = set(
        shift.assignments.filter(cancelled_at__isnull=True).values_list("person", flat=True)
    )
    newcomer = next(p for p in community if p.pk not in holders)
    data = {
        "shift": shift.pk,
        "role": "reviewer",
        "replace": seat.pk,
        "person": newcomer.pk,
        "reason": "Knows the runtime code",
    }
    client.force_login(release_manager)
    check = client.post("/manage/pr-review/override/", {**data, "action": "check"})
    assert check.status_code == 200
    assert check.context["check"].problems == []
    assert "would cover" in check.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/manage/pr-review/override/", {**data, "action": "confirm"})
    assert done.status_code == 302
    taken = Assignment.objects.active().get(shift=shift, person=newcomer)
    assert taken.source == AssignmentSource.OVERRIDDEN
    assert "Knows the runtime code" in taken.explanation
    seat.refresh_from_db()
    assert seat.cancelled_at is not None
    action = ManagerAction.objects.get(kind=ManagerActionKind.OVERRIDE)
    assert action.actor == release_manager and action.reason == "Knows the runtime code"
    assert {m.to[0] for m in mail.outbox} == {newcomer.email, seat.person.email}
    # A later re-plan keeps it.
    rota_plan(review_rota.pk)
    assert Assignment.objects.active().filter(pk=taken.pk).exists()
    assert "override" in client.get("/manage/").content.decode()


def test_an_override_that_breaks_a_rule_is_refused_with_the_reason(
    client: Client, community: list[User], release_manager: User, review_rota: Rota
) -> None:
    shift = _future_shift(review_rota)
    seat = shift.assignments.filter(cancelled_at__isnull=True).first()
    holders = set(
        shift.assignments.filter(cancelled_at__isnull=True).values_list("person", flat=True)
    )
    away = next(p for p in community if p.pk not in holders)
    TimeOff.objects.create(user=away, start=shift.starts_at.date(), end=shift.ends_at.date())
    outsider = make_user("zed")
    client.force_login(release_manager)
    for person, reason in [(away, "time off"), (outsider, "not one of the available choices")]:
        response = client.post(
            "/manage/pr-review/override/",
            {"shift": shift.pk, "role": "reviewer", "replace": seat.pk, "person": person.pk,
             "reason": "Because", "action": "confirm"},
        )  # fmt: skip
        assert response.status_code == 400 and reason in response.content.decode()
    assert not ManagerAction.objects.exists()
    assert not Assignment.objects.filter(source=AssignmentSource.OVERRIDDEN).exists()
    no_reason = client.post(
        "/manage/pr-review/override/",
        {"shift": shift.pk, "role": "reviewer", "replace": seat.pk, "person": away.pk,
         "reason": "", "action": "confirm"},
    )  # fmt: skip
    assert no_reason.status_code == 400 and "reason" in no_reason.context["form"].errors


def test_the_dashboard_lists_releases_with_lead_shadow_and_first_time_leads(
    client: Client, release_manager: User
) -> None:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    rota.managers.add(release_manager)
    lead, shadow = make_user("lee"), make_user("sam")
    for person in (lead, shadow):
        Membership.objects.create(user=person, rota=rota, roles=["lead", "shadow"])
    day = (datetime.now(UTC) + timedelta(days=20)).date()
    release = Release.objects.create(rota=rota, version="3.9.0", date=day)
    shift = Shift.objects.create(
        rota=rota,
        key="r1",
        starts_at=datetime.now(UTC) + timedelta(days=13),
        ends_at=datetime.now(UTC) + timedelta(days=20),
        release=release,
    )
    Assignment.objects.create(shift=shift, person=lead, role="lead")
    Assignment.objects.create(shift=shift, person=shadow, role="shadow")
    client.force_login(release_manager)
    html = client.get("/manage/").content.decode()
    assert "3.9.0" in html and "Lee" in html and "Sam" in html and "never shadowed" in html


@pytest.fixture
def release_rota(release_manager: User) -> Rota:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    rota.managers.add(release_manager)
    return rota


def test_releases_are_added_on_a_cadence_moved_and_cancelled_without_the_admin(
    client: Client, release_manager: User, release_rota: Rota, other_manager: User
) -> None:
    client.force_login(release_manager)
    added = client.post(
        "/manage/releases/releases/",
        {"action": "cadence", "many-pattern": "3.{n}.0", "many-start": "4",
         "many-first": "2027-01-12", "many-every_weeks": "4", "many-count": "3"},
    )  # fmt: skip
    assert added.status_code == 302
    assert list(release_rota.releases.values_list("version", "date")) == [
        ("3.4.0", date(2027, 1, 12)),
        ("3.5.0", date(2027, 2, 9)),
        ("3.6.0", date(2027, 3, 9)),
    ]
    again = client.post(
        "/manage/releases/releases/",
        {"action": "add", "one-version": "3.5.0", "one-date": "2027-04-01"},
    )
    assert again.status_code == 400 and "already has a release 3.5.0" in again.content.decode()
    far = client.post(
        "/manage/releases/releases/",
        {"action": "add", "one-version": "9.9", "one-date": "9999-12-31"},
    )
    assert far.status_code == 400 and release_rota.releases.count() == 3
    bad_pattern = client.post(
        "/manage/releases/releases/",
        {"action": "cadence", "many-pattern": "same", "many-start": "1",
         "many-first": "2027-01-12", "many-every_weeks": "4", "many-count": "3"},
    )  # fmt: skip
    assert bad_pattern.status_code == 400 and "{n}" in bad_pattern.content.decode()

    release = release_rota.releases.get(version="3.5.0")
    moved = client.post(
        "/manage/releases/releases/",
        {"action": "move", "move-id": release.pk, "move-date": "2027-02-16"},
    )
    assert moved.status_code == 302
    release.refresh_from_db()
    assert release.date == date(2027, 2, 16)
    assert (
        client.post(
            "/manage/releases/releases/", {"action": "cancel", "id": release.pk}
        ).status_code
        == 302
    )
    assert not Release.objects.filter(pk=release.pk).exists()
    kinds = list(ManagerAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["release_add", "release_move", "release_cancel"]

    client.force_login(other_manager)
    other = release_rota.releases.first()
    assert (
        client.post("/manage/releases/releases/", {"action": "cancel", "id": other.pk}).status_code
        == 403
    )
    assert Release.objects.filter(pk=other.pk).exists()


def test_a_rota_is_created_by_staff_and_changed_by_its_managers_with_a_zone_and_role_choices(
    client: Client, release_manager: User, review_rota: Rota, community: list[User]
) -> None:
    staff = make_user("stef", is_staff=True)
    client.force_login(staff)
    page = client.get("/manage/new-rota/")
    assert page.status_code == 200 and 'list="time-zones"' in page.content.decode()
    data = {
        "name": "Security triage", "slug": "security", "kind": "triage", "description": "",
        "is_public": "on", "handoff_weekday": "0", "handoff_time": "09:00",
        "handoff_zone": "Asia/Tokyo", "shift_weeks": "1", "seats": "1",
        "min_coverage_hours": "0", "one_per_organisation": "on", "roles": ["triager"],
        "new_member_weeks_between": "2",
        "horizon_weeks": "12", "freeze_weeks": "1", "min_available_fraction": "0.5",
        "min_rest_hours": "0", "history_half_life_weeks": "26", "auto_publish": "on",
        "release_window_days": "7",
    }  # fmt: skip
    bad = client.post("/manage/new-rota/", {**data, "handoff_zone": "Mars/Base"})
    assert bad.status_code == 400 and "handoff_zone" in bad.context["form"].errors
    assert client.post("/manage/new-rota/", data).status_code == 302
    rota = Rota.objects.get(slug="security")
    assert rota.roles == ["triager"] and rota.handoff_zone == "Asia/Tokyo"
    assert rota.new_member_weeks_between == 2
    assert list(rota.managers.all()) == [staff]
    # A manager who is not staff cannot create one, but changes their own rota.
    client.force_login(release_manager)
    assert client.get("/manage/new-rota/").status_code == 403
    assert client.get("/manage/security/settings/").status_code == 403
    form = client.get("/manage/pr-review/settings/").context["form"]
    values = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    values.update({"handoff_time": "10:00", "roles": ["reviewer"], "is_public": "on"})
    values = {k: v for k, v in values.items() if v is not False}
    changed = client.post("/manage/pr-review/settings/", values)
    assert changed.status_code == 302, changed.context["form"].errors
    review_rota.refresh_from_db()
    assert review_rota.handoff_time.hour == 10
    assert ManagerAction.objects.filter(kind="rota_change", rota=review_rota).exists()
