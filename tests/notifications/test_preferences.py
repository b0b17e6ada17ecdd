"""Each person chooses their notices; every e-mail carries a signed link to change that and a
one-click List-Unsubscribe (RFC 8058)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from rota.notifications.models import NoticeKind, NoticeOptOut, NoticeSettings
from rota.notifications.preferences import preferences_token, unsubscribe_url
from rota.notifications.services import Delivery, notice_deliver
from rota.notifications.tasks import reminders_send_task
from rota.rotas.models import Rota
from tests.notifications.beat import run_at
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db


def remind(person: User, rota: Rota, subject: str = "assignment:1") -> Delivery:
    shift = make_shift(rota, datetime(2026, 3, 9, 9, tzinfo=UTC))
    duty = make_duty(shift, person)
    context = {"rota": rota, "duty": duty, "shift": shift, "partners": []}
    return notice_deliver(
        person, NoticeKind.REMINDER, subject, template="reminder", context=context
    )


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost:8000")


def test_every_notice_carries_list_unsubscribe_and_a_preferences_link(
    volunteer: User, review_rota: Rota
) -> None:
    assert remind(volunteer, review_rota) == Delivery.SENT
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"]
    assert link == f"<{unsubscribe_url(volunteer.pk, NoticeKind.REMINDER)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Choose which notices you get (no login needed): http://localhost:8000/notices/" in (
        message.body
    )


def test_a_one_click_post_unsubscribes_without_a_login_or_csrf_token(
    volunteer: User, review_rota: Rota
) -> None:
    url = path_of(unsubscribe_url(volunteer.pk, NoticeKind.REMINDER))
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NoticeOptOut.objects.filter(user=volunteer, kind=NoticeKind.REMINDER).exists()
    assert remind(volunteer, review_rota) == Delivery.MUTED
    assert mail.outbox == []


def test_opening_the_unsubscribe_link_only_asks(volunteer: User, client: Client) -> None:
    response = client.get(path_of(unsubscribe_url(volunteer.pk, NoticeKind.HANDOFF)))
    assert response.status_code == 200
    assert b"Stop these e-mails?" in response.content
    assert not NoticeOptOut.objects.exists()


def test_a_forged_or_altered_link_changes_nothing(volunteer: User, client: Client) -> None:
    token = preferences_token(volunteer.pk, NoticeKind.REMINDER)
    assert client.post(f"/notices/{token}x/unsubscribe/").status_code == 404
    assert client.get("/notices/not-a-token/").status_code == 404
    assert not NoticeOptOut.objects.exists()


def test_the_signed_preferences_page_saves_choices_without_a_login(
    volunteer: User, client: Client
) -> None:
    url = f"/notices/{preferences_token(volunteer.pk)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"Notices for Vera" in page.content
    wanted = [k for k in NoticeKind.values if k != NoticeKind.SWAP_OFFER]
    assert client.post(url, {"wanted": wanted, "reminder_working_days": 2}).status_code == 302
    assert set(NoticeOptOut.objects.values_list("kind", flat=True)) == {NoticeKind.SWAP_OFFER}
    assert NoticeSettings.objects.get(user=volunteer).reminder_working_days == 2
    client.post(url, {"wanted": NoticeKind.values, "reminder_working_days": 1})
    assert not NoticeOptOut.objects.exists()


def test_a_person_chooses_notices_from_their_profile(volunteer: User, client: Client) -> None:
    client.force_login(volunteer)
    assert client.get("/me/notices/").status_code == 200
    client.post("/me/notices/", {"wanted": [NoticeKind.REMINDER], "reminder_working_days": 1})
    assert NoticeOptOut.objects.filter(user=volunteer).count() == len(NoticeKind.values) - 1
    assert client.get("/me/profile/").content.count(b'href="/me/notices/"') == 1


def test_a_muted_reminder_is_skipped_by_the_periodic_task(
    volunteer: User, review_rota: Rota
) -> None:
    NoticeOptOut.objects.create(user=volunteer, kind=NoticeKind.REMINDER)
    make_duty(make_shift(review_rota, datetime(2026, 3, 9, 9, tzinfo=UTC)), volunteer)
    outcome = run_at(reminders_send_task, datetime(2026, 3, 6, 4, tzinfo=UTC))
    assert outcome == "reminders: 1 muted"
    assert mail.outbox == []


def test_a_person_who_wants_two_working_days_notice_hears_on_thursday_of_a_monday_duty(
    volunteer: User, review_rota: Rota
) -> None:
    NoticeSettings.objects.create(user=volunteer, reminder_working_days=2)
    make_duty(make_shift(review_rota, datetime(2026, 3, 9, 9, tzinfo=UTC)), volunteer)
    thursday_0900_kolkata = datetime(2026, 3, 5, 3, 30, tzinfo=UTC)
    assert run_at(reminders_send_task, thursday_0900_kolkata - timedelta(minutes=15)) == (
        "reminders: none due"
    )
    assert run_at(reminders_send_task, thursday_0900_kolkata) == "reminders: 1 sent"
