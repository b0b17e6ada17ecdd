"""A person can take their data with them, and delete their account while their past duties
stay in the history as a former volunteer's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import ApiToken, TimeOff, User
from accounts.services import api_token_create
from rota.notifications.models import Notice, NoticeKind, NoticeOptOut, NoticeSettings
from rota.rotas.models import Assignment, Membership, OutboxTask, PlanRun, Rota, SwapRequest
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


@pytest.fixture
def vera_history(member: Membership, review_rota: Rota) -> dict[str, Assignment]:
    vera = member.user
    past = make_duty(make_shift(review_rota, datetime(2026, 2, 2, 9, tzinfo=UTC)), vera)
    future = make_duty(make_shift(review_rota, datetime(2026, 3, 16, 9, tzinfo=UTC)), vera)
    TimeOff.objects.create(user=vera, start=date(2026, 4, 1), end=date(2026, 4, 3), note="Exams")
    SwapRequest.objects.create(assignment=future, requester=vera, message="Exams")
    PlanRun.objects.create(
        rota=review_rota, trigger="manual", status="applied", started_at=NOW,
        changes=[{"change": "added", "shift": "k", "starts_at": "2026-02-02T09:00:00+00:00",
                  "person": vera.pk, "name": "Vera", "role": "reviewer"}],
    )  # fmt: skip
    Notice.objects.create(recipient=vera, kind=NoticeKind.REMINDER, subject="assignment:1")
    NoticeOptOut.objects.create(user=vera, kind=NoticeKind.HANDOFF)
    NoticeSettings.objects.create(user=vera, reminder_working_days=2)
    return {"past": past, "future": future}


@time_machine.travel(NOW, tick=False)
def test_the_export_holds_the_persons_profile_duties_and_availability(
    client: Client, volunteer: User, vera_history: dict[str, Assignment]
) -> None:
    _token, plain = api_token_create(volunteer, "triage bot")
    client.force_login(volunteer)
    response = client.get("/me/data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rota-vera-2026-03-04.json"'
    data = json.loads(response.content)
    assert data["profile"]["email"] == "vera@example.org"
    assert data["profile"]["time_zone"] == "Asia/Kolkata"
    assert [d["shift__starts_at"] for d in data["duties"]] == [
        "2026-02-02T09:00:00+00:00",
        "2026-03-16T09:00:00+00:00",
    ]
    assert data["time_off"][0]["note"] == "Exams"
    assert len(data["working_hours"]) == 5
    assert data["memberships"][0]["rota__name"] == "PR review"
    assert data["swap_requests"][0]["message"] == "Exams"
    assert data["notices_muted"] == ["handoff"]
    assert data["reminder_working_days"] == 2
    assert data["api_tokens"][0]["name"] == "triage bot"
    assert plain not in response.content.decode()  # only its hint: Rota keeps no token


def test_the_export_and_deletion_need_a_login(client: Client) -> None:
    assert client.get("/me/data/").status_code == 302
    assert client.get("/me/delete/").status_code == 302


@time_machine.travel(NOW, tick=False)
def test_a_wrong_password_deletes_nothing(
    client: Client, volunteer: User, vera_history: dict[str, Assignment]
) -> None:
    client.force_login(volunteer)
    response = client.post("/me/delete/", {"password": "not mine"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.is_active and volunteer.email == "vera@example.org"


@time_machine.travel(NOW, tick=False)
def test_deleting_an_account_keeps_past_duties_as_a_former_volunteers(
    client: Client,
    volunteer: User,
    vera_history: dict[str, Assignment],
    review_rota: Rota,
    sent_tasks: list[tuple[str, list[object], float]],
) -> None:
    api_token_create(volunteer, "triage bot")
    client.force_login(volunteer)
    response = client.post("/me/delete/", {"password": "correct horse 42"}, follow=True)
    assert "Your account is deleted." in response.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    former = User.objects.get(pk=volunteer.pk)
    assert former.name == "A former volunteer" and former.public_name == "A former volunteer"
    assert (former.email, former.first_name, former.github_login, former.country) == (
        "",
        "",
        "",
        "",
    )
    assert former.username == f"former-volunteer-{volunteer.pk}"
    assert not former.is_active and not former.has_usable_password()
    past, future = vera_history["past"], vera_history["future"]
    past.refresh_from_db()
    future.refresh_from_db()
    assert past.person_id == former.pk and past.cancelled_at is None  # history stays true
    assert future.cancelled_at == NOW  # the seat goes to someone else
    assert OutboxTask.objects.filter(key=f"plan-rota:{review_rota.pk}").exists()
    assert not Membership.objects.filter(user=former).exists()
    assert not former.working_hours.exists() and not former.time_off.exists()
    assert not Notice.objects.filter(recipient=former).exists()
    assert not NoticeOptOut.objects.filter(user=former).exists()
    assert not NoticeSettings.objects.filter(user=former).exists()
    assert not ApiToken.objects.filter(user=former).exists()
    assert SwapRequest.objects.get().status == "withdrawn"
    [change] = PlanRun.objects.get().changes
    assert change["name"] == "A former volunteer" and change["person"] == former.pk
    login = client.post("/login/", {"username": "vera", "password": "correct horse 42"})
    assert login.status_code != 302 and "_auth_user_id" not in client.session


@time_machine.travel(NOW, tick=False)
def test_the_rota_page_names_a_deleted_accounts_duty_under_way_as_a_former_volunteers(
    client: Client, volunteer: User, vera_history: dict[str, Assignment], review_rota: Rota
) -> None:
    from rota.privacy.services import person_forget

    running = make_duty(make_shift(review_rota, datetime(2026, 3, 2, 9, tzinfo=UTC)), volunteer)
    person_forget(volunteer, NOW)
    running.refresh_from_db()
    assert running.cancelled_at is None  # a duty already under way stays in the record
    page = client.get(f"/rotas/{review_rota.slug}/").content.decode()
    assert "A former volunteer" in page and "Vera" not in page
