"""Me: profile, working hours, time off (each change re-plans), duties, feed links, swaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import TimeOff, User
from rota.feeds.models import FeedToken
from rota.rotas.models import Assignment, Membership, Rota, Shift, SwapRequest
from tests.api.conftest import NEXT_MONDAY, client_for
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db


def test_my_profile_shows_what_the_profile_page_shows_and_no_password(
    as_volunteer: APIClient,
) -> None:
    answer = as_volunteer.get("/api/v1/me/").json()
    assert answer["username"] == "vera" and answer["time_zone"] == "Asia/Kolkata"
    assert "password" not in answer


def test_changing_my_zone_saves_it(as_volunteer: APIClient, volunteer: User) -> None:
    answer = as_volunteer.patch("/api/v1/me/", {"time_zone": "Europe/Paris"})
    assert answer.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.time_zone == "Europe/Paris"


def test_a_bad_zone_is_a_400_naming_the_field(as_volunteer: APIClient) -> None:
    answer = as_volunteer.patch("/api/v1/me/", {"time_zone": "Mars/Olympus"})
    assert answer.status_code == 400
    assert "time_zone" in answer.json()


def test_working_hours_are_replaced_whole(as_volunteer: APIClient, volunteer: User) -> None:
    windows = [{"weekday": 0, "start": "22:00", "end": "06:00", "ends_next_day": True}]
    answer = as_volunteer.put("/api/v1/me/working-hours/", {"windows": windows})
    assert answer.status_code == 200
    assert answer.json()["replanned"] in (True, False)
    got = as_volunteer.get("/api/v1/me/working-hours/").json()["windows"]
    assert got == [{"weekday": 0, "start": "22:00:00", "end": "06:00:00", "ends_next_day": True}]


def test_overlapping_working_hours_are_a_400(as_volunteer: APIClient) -> None:
    windows = [
        {"weekday": 0, "start": "09:00", "end": "17:00"},
        {"weekday": 0, "start": "12:00", "end": "18:00"},
    ]
    answer = as_volunteer.put("/api/v1/me/working-hours/", {"windows": windows}, format="json")
    assert answer.status_code == 400
    assert "working_hours" in answer.json()


def test_time_off_is_added_changed_and_removed_each_re_planning(
    as_volunteer: APIClient, volunteer: User, member: Membership
) -> None:
    added = as_volunteer.post(
        "/api/v1/me/time-off/", {"start": "2026-04-01", "end": "2026-04-03", "note": "trip"}
    )
    assert added.status_code == 201, added.json()
    body = added.json()
    entry = body["time_off"]["id"]
    assert body["replan"]["replanned"] is True
    listed = as_volunteer.get("/api/v1/me/time-off/").json()["results"]
    assert [t["id"] for t in listed] == [entry]
    changed = as_volunteer.put(
        f"/api/v1/me/time-off/{entry}/", {"start": "2026-04-02", "end": "2026-04-05"}
    )
    assert changed.status_code == 200
    assert changed.json()["time_off"]["end"] == "2026-04-05"
    assert as_volunteer.delete(f"/api/v1/me/time-off/{entry}/").status_code == 200
    assert not TimeOff.objects.filter(pk=entry).exists()


def test_time_off_keeps_the_pages_limits(as_volunteer: APIClient) -> None:
    backwards = as_volunteer.post(
        "/api/v1/me/time-off/", {"start": "2026-04-03", "end": "2026-04-01"}
    )
    assert backwards.status_code == 400 and "end" in backwards.json()
    far = as_volunteer.post("/api/v1/me/time-off/", {"start": "2035-01-01", "end": "2035-01-02"})
    assert far.status_code == 400 and "end" in far.json()


def test_someone_elses_time_off_is_404(as_outsider: APIClient, volunteer: User) -> None:
    theirs = TimeOff.objects.create(
        user=volunteer, start=NEXT_MONDAY.date(), end=NEXT_MONDAY.date()
    )
    assert as_outsider.get(f"/api/v1/me/time-off/{theirs.pk}/").status_code == 404
    assert as_outsider.delete(f"/api/v1/me/time-off/{theirs.pk}/").status_code == 404
    assert (
        as_outsider.put(
            f"/api/v1/me/time-off/{theirs.pk}/", {"start": "2026-04-02", "end": "2026-04-05"}
        ).status_code
        == 404
    )
    assert TimeOff.objects.filter(pk=theirs.pk).exists()


def test_my_duties_list_upcoming_and_recent(
    as_volunteer: APIClient, shift_now: Shift, review_rota: Rota, volunteer: User
) -> None:
    make_duty(make_shift(review_rota, shift_now.starts_at - timedelta(weeks=2)), volunteer)
    upcoming = as_volunteer.get("/api/v1/me/duties/").json()["results"]
    assert [d["starts_at"][:10] for d in upcoming] == ["2026-03-02"]
    assert upcoming[0]["started"] is True and upcoming[0]["rota"] == "pr-review"
    recent = as_volunteer.get("/api/v1/me/duties/", {"when": "recent"}).json()["results"]
    assert [d["starts_at"][:10] for d in recent] == ["2026-02-16"]
    assert as_volunteer.get("/api/v1/me/duties/", {"when": "soon"}).status_code == 400


def test_a_feed_link_is_shown_once_and_can_be_revoked(
    as_volunteer: APIClient, member: Membership
) -> None:
    created = as_volunteer.post("/api/v1/me/feed-links/", {"kind": "personal"})
    assert created.status_code == 201
    body = created.json()
    assert body["urls"]["webcal"].startswith("webcal://")
    link = body["link"]["id"]
    listed = as_volunteer.get("/api/v1/me/feed-links/").json()["results"]
    assert "urls" not in listed[0] and listed[0]["hint"] in body["urls"]["https"]
    assert as_volunteer.delete(f"/api/v1/me/feed-links/{link}/").status_code == 204
    assert FeedToken.objects.get(pk=link).revoked_at is not None
    assert as_volunteer.delete(f"/api/v1/me/feed-links/{link}/").status_code == 404


def test_a_rota_feed_link_is_for_members_and_hidden_rotas_are_unknown(
    as_outsider: APIClient, review_rota: Rota, private_rota: Rota
) -> None:
    refused = as_outsider.post("/api/v1/me/feed-links/", {"kind": "rota", "rota": "pr-review"})
    assert refused.status_code == 403
    hidden = as_outsider.post("/api/v1/me/feed-links/", {"kind": "rota", "rota": "security"})
    assert hidden.status_code == 400 and "rota" in hidden.json()


@pytest.fixture
def my_next_duty(review_rota: Rota, member: Membership) -> Assignment:
    return make_duty(make_shift(review_rota, NEXT_MONDAY), member.user)


def test_i_ask_for_a_swap_and_withdraw_it(
    as_volunteer: APIClient, my_next_duty: Assignment, colleague: User
) -> None:
    asked = as_volunteer.post(
        "/api/v1/me/swap-requests/", {"duty": my_next_duty.pk, "message": "travelling"}
    )
    assert asked.status_code == 201, asked.json()
    swap = asked.json()["id"]
    assert asked.json()["status"] == "open"
    mine = as_volunteer.get("/api/v1/me/swap-requests/").json()["results"]
    assert [s["id"] for s in mine] == [swap]
    withdrawn = as_volunteer.post(f"/api/v1/me/swap-requests/{swap}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = as_volunteer.post(f"/api/v1/me/swap-requests/{swap}/withdraw/")
    assert again.status_code == 409


def test_a_colleague_takes_my_swap_and_a_second_taker_is_told_it_is_gone(
    as_volunteer: APIClient, my_next_duty: Assignment, colleague: User, review_rota: Rota
) -> None:
    # Cleo's own duty is elsewhere; next week's shift is Vera's alone.
    swap = as_volunteer.post("/api/v1/me/swap-requests/", {"duty": my_next_duty.pk}).json()["id"]
    as_cleo = client_for(colleague)
    assert [s["id"] for s in as_cleo.get("/api/v1/swap-requests/open/").json()["results"]] == [swap]
    taken = as_cleo.post(f"/api/v1/swap-requests/{swap}/take/")
    assert taken.status_code == 200, taken.json()
    assert Assignment.objects.active().get(shift=my_next_duty.shift).person == colleague
    assert as_cleo.post(f"/api/v1/swap-requests/{swap}/take/").status_code == 409


def test_outsiders_cannot_see_or_take_a_swap_request(
    as_outsider: APIClient, as_volunteer: APIClient, my_next_duty: Assignment
) -> None:
    swap = as_volunteer.post("/api/v1/me/swap-requests/", {"duty": my_next_duty.pk}).json()["id"]
    assert as_outsider.post(f"/api/v1/swap-requests/{swap}/take/").status_code == 404
    assert as_outsider.post(f"/api/v1/me/swap-requests/{swap}/withdraw/").status_code == 404
    assert as_outsider.post("/api/v1/swap-requests/999999/take/").status_code == 404
    assert SwapRequest.objects.get(pk=swap).status == "open"


def test_asking_a_swap_of_someone_elses_duty_is_a_400(
    as_outsider: APIClient, my_next_duty: Assignment
) -> None:
    answer = as_outsider.post("/api/v1/me/swap-requests/", {"duty": my_next_duty.pk})
    assert answer.status_code == 400 and "duty" in answer.json()


def test_anonymous_callers_have_no_me(anonymous: APIClient) -> None:
    assert anonymous.get("/api/v1/me/").status_code == 401
    assert anonymous.post("/api/v1/me/time-off/", {}).status_code == 401
