"""Reads: rotas, who is on duty now and next, shifts, releases, components, people, fairness."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from rota.rotas.models import Component, Membership, PlanRun, Release, Rota, RotaKind, Shift
from tests.api.conftest import NEXT_MONDAY, NOW, THIS_MONDAY
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db


def test_anonymous_callers_see_public_rotas_only(
    anonymous: APIClient, review_rota: Rota, private_rota: Rota
) -> None:
    answer = anonymous.get("/api/v1/rotas/")
    assert answer.status_code == 200
    assert [r["slug"] for r in answer.json()["results"]] == ["pr-review"]
    assert anonymous.get("/api/v1/rotas/security/").status_code == 404


def test_members_see_their_private_rota_and_outsiders_get_404(
    as_volunteer: APIClient, as_outsider: APIClient, volunteer: User, private_rota: Rota
) -> None:
    Membership.objects.create(user=volunteer, rota=private_rota, roles=["reviewer"])
    assert as_volunteer.get("/api/v1/rotas/security/").json()["slug"] == "security"
    assert as_outsider.get("/api/v1/rotas/security/").status_code == 404
    assert as_outsider.get("/api/v1/rotas/security/on-duty/").status_code == 404
    assert as_outsider.get("/api/v1/no-such-rota/").status_code == 404


def test_on_duty_gives_members_local_time_and_working_hours(
    as_manager: APIClient, shift_now: Shift, shift_next: Shift
) -> None:
    answer = as_manager.get("/api/v1/rotas/pr-review/on-duty/").json()
    assert answer["zone"] == "UTC"
    [now] = answer["now"]
    [seat] = now["seats"]
    assert seat["person"]["name"] == "Vera"
    assert seat["time_zone"] == "Asia/Kolkata"
    assert seat["local_time"].startswith("2026-03-04T17:30:00+05:30")
    assert seat["in_working_hours"] is False  # 17:30 in Kolkata is after her 09:00-17:00
    assert seat["on_time_off"] is False
    [upcoming] = answer["next"]
    assert upcoming["starts_at"].startswith("2026-03-09T09:00:00")
    assert upcoming["seats"][0]["local_time"].startswith("2026-03-04T09:00:00-03:00")
    assert upcoming["seats"][0]["in_working_hours"] is True


def test_on_duty_names_people_by_display_name_only_to_outsiders(
    anonymous: APIClient, shift_now: Shift, shift_next: Shift
) -> None:
    answer = anonymous.get("/api/v1/rotas/pr-review/on-duty/").json()
    seat = answer["now"][0]["seats"][0]
    assert seat["person"]["name"] == "Vera"
    assert seat["time_zone"] is None and seat["local_time"] is None
    assert seat["in_working_hours"] is None
    # Cleo chose no display name: outsiders never see her login or real name.
    assert answer["next"][0]["seats"][0]["person"]["name"] == "A volunteer"


def test_on_duty_runs_the_same_queries_for_two_seats_or_twenty(
    as_manager: APIClient,
    review_rota: Rota,
    shift_now: Shift,
) -> None:
    def count() -> int:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # count the work of an answer, not a cached one
        with CaptureQueriesContext(connection) as queries:
            assert as_manager.get("/api/v1/rotas/pr-review/on-duty/").status_code == 200
        return len(queries)

    count()  # the token's first use is recorded once
    few = count()
    for n in range(20):
        person = make_user(f"p{n}")
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
        make_duty(shift_now, person)
    assert count() == few


def test_on_duty_is_cached_per_minute_and_follows_a_changed_plan(
    as_manager: APIClient, shift_now: Shift, colleague: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rota.rotas.services import rota_plan_version_bump

    as_manager.get("/api/v1/rotas/pr-review/on-duty/")
    with CaptureQueriesContext(connection) as queries:
        again = as_manager.get("/api/v1/rotas/pr-review/on-duty/").json()
    assert len(queries) <= 4  # token, rota, what the caller may see: no shift or person read
    assert [s["person"]["name"] for s in again["now"][0]["seats"]] == ["Vera"]
    make_duty(shift_now, colleague)
    rota_plan_version_bump(shift_now.rota_id)  # as every write that moves a duty does
    names = as_manager.get("/api/v1/rotas/pr-review/on-duty/").json()["now"][0]["seats"]
    assert [s["person"]["name"] for s in names] == ["Vera", "cleo"]


def test_on_duty_answers_from_the_database_when_the_cache_is_down(
    monkeypatch: pytest.MonkeyPatch, anonymous: APIClient, shift_now: Shift
) -> None:
    from django.core.cache import cache

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    answer = anonymous.get("/api/v1/rotas/pr-review/on-duty/")
    assert answer.status_code == 200
    assert answer.json()["now"][0]["seats"][0]["person"]["name"] == "Vera"


def test_shifts_between_two_instants_are_paginated_with_the_rota_zone(
    as_volunteer: APIClient, review_rota: Rota, member: Membership
) -> None:
    review_rota.handoff_zone = "Europe/Berlin"
    review_rota.save()
    for week in range(6):
        make_duty(make_shift(review_rota, THIS_MONDAY + timedelta(weeks=week)), member.user)
    answer = as_volunteer.get(
        "/api/v1/rotas/pr-review/shifts/",
        {"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z", "page_size": 2},
    ).json()
    assert answer["count"] == 5
    assert len(answer["results"]) == 2 and answer["next"]
    first = answer["results"][0]
    assert first["starts_at"].startswith("2026-03-02T09:00:00")
    assert first["starts_local"] == "2026-03-02T10:00:00+01:00"
    assert first["seats"] == [
        {"person": {"id": member.user_id, "name": "Vera"}, "role": "reviewer", "source": "planned"}
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "from"),
        ({"from": "yesterday", "to": "2026-04-01T00:00:00Z"}, "from"),
        ({"from": "2026-04-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "to"),
        ({"from": "2026-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"}, "to"),
    ],
)
def test_shifts_refuse_a_bad_range_with_field_messages(
    anonymous: APIClient, review_rota: Rota, query: dict[str, str], field: str
) -> None:
    answer = anonymous.get("/api/v1/rotas/pr-review/shifts/", query)
    assert answer.status_code == 400
    assert field in answer.json()


def test_shifts_list_runs_no_query_per_row(
    as_volunteer: APIClient, review_rota: Rota, member: Membership
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            as_volunteer.get(
                "/api/v1/rotas/pr-review/shifts/",
                {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"},
            )
        return len(queries)

    make_duty(make_shift(review_rota, THIS_MONDAY), member.user)
    count()  # the token's first use is recorded once
    one = count()
    for week in range(1, 30):
        make_duty(make_shift(review_rota, THIS_MONDAY + timedelta(weeks=week)), member.user)
    assert count() == one


def test_releases_come_with_lead_and_shadow(
    anonymous: APIClient, volunteer: User, colleague: User
) -> None:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    release = Release.objects.create(rota=rota, version="5.2", date=date(2026, 3, 20))
    shift = make_shift(rota, NEXT_MONDAY)
    Shift.objects.filter(pk=shift.pk).update(release=release)
    make_duty(shift, volunteer, role="lead")
    make_duty(shift, colleague, role="shadow")
    Release.objects.create(rota=rota, version="5.3", date=date(2026, 6, 20))
    results = anonymous.get("/api/v1/rotas/releases/releases/").json()["results"]
    assert [r["version"] for r in results] == ["5.2", "5.3"]
    assert results[0]["lead"]["name"] == "Vera"
    assert results[0]["shadow"]["name"] == "A volunteer"
    assert results[1]["lead"] is None and results[1]["duty_starts_at"] is None


def test_components_list_their_owners_and_the_owner_on_duty_as_point_of_contact(
    anonymous: APIClient,
    review_rota: Rota,
    shift_now: Shift,
    volunteer: User,
    colleague: User,
    private_rota: Rota,
) -> None:
    volunteer.github_login = "vera-gh"
    volunteer.save()
    parser = Component.objects.create(
        name="parser", repository="acme/app", rota=review_rota, path_patterns="src/parser/\n"
    )
    parser.owners.add(volunteer, colleague)
    Component.objects.create(name="docs", repository="acme/app", rota=review_rota)
    Component.objects.create(name="keys", repository="acme/app", rota=private_rota)
    docs, found = anonymous.get("/api/v1/components/").json()["results"]
    assert found["name"] == "parser"
    assert found["path_patterns"] == ["src/parser/"]
    assert {o["name"] for o in found["owners"]} == {"Vera", "A volunteer"}
    # Vera is on review duty now: she answers for the parser this week.
    assert found["point_of_contact"] == {"name": "@vera-gh", "reason": "on review duty now"}
    assert docs["name"] == "docs" and docs["point_of_contact"] is None


def test_a_public_profile_shows_no_email_login_or_real_name(
    as_outsider: APIClient, member: Membership
) -> None:
    vera = member.user
    vera.first_name, vera.last_name, vera.display_name = "Vera", "Secret", ""
    vera.save()
    answer = as_outsider.get(f"/api/v1/people/{vera.pk}/").json()
    assert answer == {
        "id": vera.pk,
        "name": "A volunteer",
        "organisation": "Intel",
        "time_zone": None,
        "rotas": ["pr-review"],
    }
    assert "Secret" not in str(answer) and "vera" not in str(answer)


def test_rota_colleagues_see_a_person_by_name_and_zone(
    as_manager: APIClient, member: Membership
) -> None:
    answer = as_manager.get(f"/api/v1/people/{member.user_id}/").json()
    assert answer["name"] == "Vera" and answer["time_zone"] == "Asia/Kolkata"


def test_people_of_private_rotas_and_unknown_ids_are_404(
    anonymous: APIClient, volunteer: User, private_rota: Rota
) -> None:
    Membership.objects.create(user=volunteer, rota=private_rota, roles=["reviewer"])
    assert anonymous.get(f"/api/v1/people/{volunteer.pk}/").status_code == 404
    assert anonymous.get("/api/v1/people/999999/").status_code == 404


def test_fairness_is_for_the_rotas_managers(
    as_manager: APIClient,
    as_volunteer: APIClient,
    anonymous: APIClient,
    review_rota: Rota,
    member: Membership,
) -> None:
    PlanRun.objects.create(
        rota=review_rota,
        trigger="manual",
        status="applied",
        started_at=NOW,
        metrics={
            "people": [
                {
                    "person_id": str(member.user_id),
                    "duties": 3,
                    "load": 3.0,
                    "fair_share": 2.5,
                    "deviation": 0.5,
                }
            ],
            "organisations": [
                {"organisation": "Intel", "duties": 3, "share": 1.0, "expected_share": 1.0}
            ],
            "gini": 0.1,
        },
    )
    answer = as_manager.get("/api/v1/rotas/pr-review/fairness/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["people"][0]["duties"] == 3 and body["summary"]["gini"] == 0.1
    assert body["organisations"][0]["name"] == "Intel"
    assert as_volunteer.get("/api/v1/rotas/pr-review/fairness/").status_code == 403
    assert anonymous.get("/api/v1/rotas/pr-review/fairness/").status_code == 401


def test_the_one_query_rota_look_up_keeps_the_pages_rules_for_the_cast(
    release_manager: User, volunteer: User, outsider: User, review_rota: Rota, private_rota: Rota
) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from rota.rotas.selectors import (
        rota_and_knowledge_for_viewer,
        rota_for_viewer,
        rota_viewer_knows_people,
    )

    Membership.objects.create(user=volunteer, rota=private_rota, roles=["reviewer"])
    staff = make_user("stan", is_staff=True)
    for viewer in (release_manager, volunteer, outsider, staff, AnonymousUser()):
        for slug in ("pr-review", "security", "no-such"):
            try:
                expected = (
                    rota_for_viewer(slug, viewer),
                    rota_viewer_knows_people(viewer, rota_for_viewer(slug, viewer)),
                )
            except Http404:
                with pytest.raises(Http404):
                    rota_and_knowledge_for_viewer(slug, viewer)
                continue
            assert rota_and_knowledge_for_viewer(slug, viewer) == expected
