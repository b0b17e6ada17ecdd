"""Swap e-mails speak to each recipient: the person whose duty it was reads "your duty"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import User
from rota.notifications.tasks import swap_news_send_task
from rota.rotas.models import Membership, Rota, SwapRequest, SwapStatus
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


@pytest.fixture
def meera_swap(review_rota: Rota, release_manager: User) -> SwapRequest:
    meera = make_user("meera", time_zone="Asia/Kolkata", country="IN")
    diego = make_user("diego", time_zone="America/Mexico_City", country="MX")
    for person in (meera, diego):
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    duty = make_duty(make_shift(review_rota, datetime(2026, 3, 9, 9, tzinfo=UTC)), meera)
    return SwapRequest.objects.create(assignment=duty, requester=meera, message="Exams")


def mails_by_recipient() -> dict[str, tuple[str, str]]:
    return {m.to[0].split("@")[0]: (m.subject, m.body) for m in mail.outbox}


@time_machine.travel(NOW, tick=False)
def test_a_taken_duty_is_your_duty_to_its_owner_and_yours_now_to_the_taker(
    meera_swap: SwapRequest,
) -> None:
    diego = User.objects.get(username="diego")
    meera_swap.status, meera_swap.taken_by = SwapStatus.ACCEPTED, diego
    meera_swap.save()
    swap_news_send_task(meera_swap.pk, "accepted")
    sent = mails_by_recipient()
    subject, body = sent["meera"]
    assert subject == "[PR review] Diego took your duty"
    assert "Diego has taken your reviewer duty on PR review" in body
    assert "Meera's" not in subject + body
    subject, body = sent["diego"]
    assert subject == "[PR review] You took Meera's duty"
    assert "You have taken Meera's reviewer duty on PR review" in body
    subject, body = sent["rhea"]  # the rota's manager reads it in the third person
    assert "Diego has taken Meera's reviewer duty on PR review" in body
    assert "See your duties: http://localhost:8000/me/duties/" in body


@time_machine.travel(NOW, tick=False)
def test_a_request_and_its_withdrawal_speak_to_the_requester_as_you(
    meera_swap: SwapRequest,
) -> None:
    swap_news_send_task(meera_swap.pk, "requested")
    subject, body = mails_by_recipient()["meera"]
    assert subject == "[PR review] You asked for a swap"
    assert "You asked for someone to take your reviewer duty on PR review" in body
    assert "Meera asks for someone" in mails_by_recipient()["rhea"][1]
    mail.outbox.clear()
    swap_news_send_task(meera_swap.pk, "withdrawn")
    assert "You withdrew your swap request" in mails_by_recipient()["meera"][1]
    assert "Meera withdrew their swap request" in mails_by_recipient()["rhea"][1]


@time_machine.travel(NOW, tick=False)
def test_an_open_request_is_offered_to_every_member_who_could_take_it(
    meera_swap: SwapRequest, outsider: User
) -> None:
    outcome = swap_news_send_task(meera_swap.pk, "requested")
    subject, body = mails_by_recipient()["diego"]
    assert subject == "[PR review] Meera asks for someone to take a duty you could take"
    assert "(America/Mexico_City)" in body and "/swaps/" in body
    assert "otto" not in mails_by_recipient()  # not a member of the rota
    assert outcome == f"swap {meera_swap.pk} (requested): 3 sent"
    swap_news_send_task(meera_swap.pk, "requested")  # delivered twice: nobody hears twice
    assert len(mail.outbox) == 3


@time_machine.travel(NOW, tick=False)
def test_a_member_who_muted_swap_offers_is_not_offered_the_duty(meera_swap: SwapRequest) -> None:
    from rota.notifications.models import NoticeKind, NoticeOptOut

    NoticeOptOut.objects.create(user=User.objects.get(username="diego"), kind=NoticeKind.SWAP_OFFER)
    swap_news_send_task(meera_swap.pk, "requested")
    assert "diego" not in mails_by_recipient()
    assert "meera" in mails_by_recipient()


def test_a_request_that_lapses_tells_the_requester_the_duty_is_still_theirs(
    meera_swap: SwapRequest, tasks_run_in_process: list[str], django_capture_on_commit_callbacks
) -> None:
    from rota.rotas.services import swap_requests_expire

    started = datetime(2026, 3, 9, 9, 1, tzinfo=UTC)
    with time_machine.travel(started, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert swap_requests_expire(started) == 1
    subject, body = mails_by_recipient()["meera"]
    assert subject == "[PR review] Your swap request lapsed"
    assert "Nobody took your reviewer duty on PR review before it started; it is still yours." in (
        body
    )
    assert set(mails_by_recipient()) == {"meera"}  # not the managers, not the members
    with django_capture_on_commit_callbacks(execute=True):
        assert swap_requests_expire(started) == 0
    assert len(mail.outbox) == 1
