"""Managers: rotas, memberships, releases, overrides, re-plans, with the pages' rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    ManagerAction,
    Membership,
    Release,
    Rota,
    RotaKind,
    Shift,
)
from rota.rotas.planning import rota_plan
from tests.api.conftest import NEXT_MONDAY
from tests.conftest import make_user
from tests.rotas.duties import make_shift

pytestmark = pytest.mark.django_db


def test_managers_list_the_rotas_they_manage_and_volunteers_none(
    as_manager: APIClient, as_volunteer: APIClient, private_rota: Rota
) -> None:
    assert [r["slug"] for r in as_manager.get("/api/v1/manage/rotas/").json()["results"]] == [
        "pr-review"
    ]
    assert as_volunteer.get("/api/v1/manage/rotas/").json()["results"] == []


def test_a_manager_changes_a_rotas_settings_and_it_is_logged(
    as_manager: APIClient, review_rota: Rota
) -> None:
    answer = as_manager.patch("/api/v1/manage/rotas/pr-review/", {"seats": 3})
    assert answer.status_code == 200 and answer.json()["seats"] == 3
    review_rota.refresh_from_db()
    assert review_rota.seats == 3
    assert ManagerAction.objects.filter(rota=review_rota, kind="rota_change").exists()


def test_bad_settings_are_a_400_naming_the_field(as_manager: APIClient) -> None:
    answer = as_manager.patch("/api/v1/manage/rotas/pr-review/", {"handoff_zone": "Nowhere/Land"})
    assert answer.status_code == 400 and "handoff_zone" in answer.json()
    assert as_manager.patch("/api/v1/manage/rotas/pr-review/", {"seats": 0}).status_code == 400


def test_non_managers_get_403_whether_or_not_the_rota_exists(
    as_volunteer: APIClient, review_rota: Rota, member: Membership
) -> None:
    assert as_volunteer.patch("/api/v1/manage/rotas/pr-review/", {"seats": 3}).status_code == 403
    assert as_volunteer.get("/api/v1/manage/rotas/no-such/").status_code == 403
    assert as_volunteer.get("/api/v1/manage/rotas/pr-review/memberships/").status_code == 403
    assert as_volunteer.post("/api/v1/manage/rotas/pr-review/plan/publish/").status_code == 403


def test_a_manager_asking_for_an_unknown_rota_gets_404(as_manager: APIClient) -> None:
    assert as_manager.get("/api/v1/manage/rotas/no-such/").status_code == 404


def test_memberships_are_listed_in_a_fixed_number_of_queries(
    as_manager: APIClient, review_rota: Rota, member: Membership
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = as_manager.get("/api/v1/manage/rotas/pr-review/memberships/")
            assert answer.status_code == 200
        return len(queries)

    count()
    one = count()
    for n in range(15):
        Membership.objects.create(user=make_user(f"m{n}"), rota=review_rota, roles=["reviewer"])
    assert count() == one
    first = as_manager.get("/api/v1/manage/rotas/pr-review/memberships/").json()["results"]
    assert {"id": member.user_id, "name": "Vera", "organisation": "Intel",
            "time_zone": "Asia/Kolkata"} in [m["person"] for m in first]  # fmt: skip


@pytest.fixture
def release_rota(release_manager: User) -> Rota:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    rota.managers.add(release_manager)
    return rota


def test_a_manager_adds_moves_and_cancels_releases(
    as_manager: APIClient, release_rota: Rota
) -> None:
    added = as_manager.post(
        "/api/v1/manage/rotas/releases/releases/",
        {"releases": [{"version": "6.0", "date": "2026-05-01"}], "reason": "planned"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    release = added.json()[0]["id"]
    moved = as_manager.patch(
        f"/api/v1/manage/rotas/releases/releases/{release}/", {"date": "2026-05-08"}
    )
    assert moved.status_code == 200 and moved.json()["date"] == "2026-05-08"
    listed = as_manager.get("/api/v1/manage/rotas/releases/releases/").json()["results"]
    assert [r["version"] for r in listed] == ["6.0"]
    assert (
        as_manager.delete(f"/api/v1/manage/rotas/releases/releases/{release}/").status_code == 204
    )
    assert not Release.objects.filter(pk=release).exists()


def test_a_duplicate_release_is_a_400_and_an_unknown_one_404(
    as_manager: APIClient, release_rota: Rota
) -> None:
    Release.objects.create(rota=release_rota, version="6.0", date=date(2026, 5, 1))
    again = as_manager.post(
        "/api/v1/manage/rotas/releases/releases/",
        {"releases": [{"version": "6.0", "date": "2026-06-01"}]},
        format="json",
    )
    assert again.status_code == 400 and "version" in again.json()
    gone = as_manager.patch(
        "/api/v1/manage/rotas/releases/releases/999999/", {"date": "2026-05-08"}
    )
    assert gone.status_code == 404


def test_volunteers_cannot_touch_releases(as_volunteer: APIClient, release_rota: Rota) -> None:
    release = Release.objects.create(rota=release_rota, version="6.0", date=date(2026, 5, 1))
    url = f"/api/v1/manage/rotas/releases/releases/{release.pk}/"
    assert as_volunteer.delete(url).status_code == 403
    assert Release.objects.filter(pk=release.pk).exists()


def test_an_override_is_checked_first_then_made(
    as_manager: APIClient, review_rota: Rota, member: Membership, colleague: User
) -> None:
    for n in range(3):
        Membership.objects.create(user=make_user(f"m{n}"), rota=review_rota, roles=["reviewer"])
    rota_plan(review_rota.pk)
    shift = (
        Shift.objects.filter(rota=review_rota, starts_at__gt=NEXT_MONDAY + timedelta(weeks=4))
        .order_by("starts_at")
        .first()
    )
    held = Assignment.objects.active().filter(shift=shift).first()
    holders = set(Assignment.objects.active().filter(shift=shift).values_list("person", flat=True))
    newcomer = Membership.objects.filter(rota=review_rota).exclude(user__in=holders).first().user
    body = {
        "shift": shift.pk,
        "role": "reviewer",
        "person": newcomer.pk,
        "replace": held.pk,
        "dry_run": True,
    }
    checked = as_manager.post("/api/v1/manage/rotas/pr-review/overrides/", body, format="json")
    assert checked.status_code == 200, checked.json()
    assert checked.json()["problems"] == []
    assert not Assignment.objects.filter(source=AssignmentSource.OVERRIDDEN).exists()
    no_reason = as_manager.post(
        "/api/v1/manage/rotas/pr-review/overrides/", {**body, "dry_run": False}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    done = as_manager.post(
        "/api/v1/manage/rotas/pr-review/overrides/",
        {**body, "dry_run": False, "reason": "Knows the parser"},
        format="json",
    )
    assert done.status_code == 201, done.json()
    taken = Assignment.objects.active().get(shift=shift, person=newcomer)
    assert taken.source == AssignmentSource.OVERRIDDEN


def test_an_override_of_a_shift_of_another_rota_is_404(
    as_manager: APIClient, member: Membership, private_rota: Rota
) -> None:
    elsewhere = make_shift(private_rota, NEXT_MONDAY)
    answer = as_manager.post(
        "/api/v1/manage/rotas/pr-review/overrides/",
        {"shift": elsewhere.pk, "role": "reviewer", "person": member.user_id, "dry_run": True},
        format="json",
    )
    assert answer.status_code == 404


def test_a_re_plan_is_previewed_then_published(
    as_manager: APIClient, review_rota: Rota, member: Membership, colleague: User
) -> None:
    preview = as_manager.post("/api/v1/manage/rotas/pr-review/plan/preview/")
    assert preview.status_code == 200, preview.json()
    changes = preview.json()["changes"]
    assert changes and {c["change"] for c in changes} == {"added"}
    assert not Shift.objects.filter(rota=review_rota).exists()  # a dry run stores nothing
    published = as_manager.post("/api/v1/manage/rotas/pr-review/plan/publish/")
    assert published.status_code == 200, published.json()
    assert published.json()["plan_run"] is not None
    assert Assignment.objects.active().filter(shift__rota=review_rota).count() == len(changes)
