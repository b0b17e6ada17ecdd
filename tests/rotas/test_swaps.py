"""Swap requests: asking, taking (atomically, once), withdrawing, and surviving re-plans."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from accounts.models import TimeOff, User
from rota.notifications import tasks as notification_tasks
from rota.notifications.channels import EmailChannel, Message
from rota.rotas import services
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Membership,
    Rota,
    RotaKind,
    SwapRequest,
    SwapStatus,
)
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 9, 9, tzinfo=UTC)


@pytest.fixture
def mails_sent_at_once(tasks_run_in_process: list[str]) -> None:
    """Run the e-mail task in-process instead of sending it to the broker."""


@pytest.fixture
def taker(review_rota: Rota) -> User:
    person = make_user("tara", time_zone="Europe/London", country="GB")
    Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    return person


@pytest.fixture
def duty(member: Membership) -> Assignment:
    return make_duty(make_shift(member.rota, NEXT_MONDAY), member.user)


@pytest.fixture
def swap(duty: Assignment) -> SwapRequest:
    return SwapRequest.objects.create(assignment=duty, requester=duty.person, message="Holiday")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_asking_for_a_swap_of_my_duty_opens_a_request_and_tells_people(
    client: Client,
    duty: Assignment,
    taker: User,
    release_manager: User,
    mails_sent_at_once: None,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(duty.person)
    page = client.get(f"/swaps/new/?duty={duty.pk}").content.decode()
    assert "Tara (Europe/London)" in page  # an eligible member can be named
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/swaps/new/?duty={duty.pk}", {"duty": duty.pk, "target": taker.pk, "message": "Exams"}
        )
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert (swap.status, swap.target, swap.message) == (SwapStatus.OPEN, taker, "Exams")
    assert {m.to[0] for m in mail.outbox} == {duty.person.email, taker.email, release_manager.email}


@pytest.fixture
def triage_duty(member: Membership) -> Assignment:
    """A second duty of the same person, on a rota where only Uma could take it."""
    triage = Rota.objects.create(name="Triage", slug="triage", kind=RotaKind.TRIAGE)
    Membership.objects.create(user=member.user, rota=triage, roles=["triager"])
    uma = make_user("uma", time_zone="Europe/Madrid", country="ES")
    Membership.objects.create(user=uma, rota=triage, roles=["triager"])
    return make_duty(make_shift(triage, NEXT_MONDAY + timedelta(weeks=1)), member.user, "triager")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_choosing_another_duty_lists_the_people_who_can_take_that_one_and_keeps_the_message(
    client: Client, duty: Assignment, triage_duty: Assignment, taker: User
) -> None:
    client.force_login(duty.person)
    page = client.get(f"/swaps/new/?duty={duty.pk}").content.decode()
    assert "Tara (Europe/London)" in page and "Uma" not in page
    assert 'name="choose"' in page  # the no-JavaScript way to refresh the list
    response = client.post(
        f"/swaps/new/?duty={duty.pk}",
        {"duty": triage_duty.pk, "target": taker.pk, "message": "Exams", "choose": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uma (Europe/Madrid)" in html and "Tara" not in html
    assert response.context["chosen"] == triage_duty
    assert f'<option value="{triage_duty.pk}" selected>' in html
    assert "Exams</textarea>" in html
    assert not SwapRequest.objects.exists()  # choosing asks nobody yet


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_without_a_duty_in_the_address_the_list_is_for_the_duty_shown_as_picked(
    client: Client, duty: Assignment, triage_duty: Assignment, taker: User
) -> None:
    client.force_login(duty.person)
    response = client.get("/swaps/new/")
    assert response.context["chosen"] == duty  # the soonest, first in the select
    assert "Tara (Europe/London)" in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_naming_someone_from_a_stale_list_is_refused_with_a_field_error(
    client: Client, duty: Assignment, triage_duty: Assignment, taker: User
) -> None:
    client.force_login(duty.person)
    response = client.post(
        f"/swaps/new/?duty={duty.pk}",
        {"duty": triage_duty.pk, "target": taker.pk, "message": "Exams"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["target"]
    assert "Uma (Europe/Madrid)" in response.content.decode()  # the right list, to pick again
    assert not SwapRequest.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_swap_for_a_past_duty_is_refused_with_a_field_error(
    client: Client, member: Membership
) -> None:
    past = make_duty(make_shift(member.rota, NOW - timedelta(weeks=2)), member.user)
    client.force_login(member.user)
    response = client.post("/swaps/new/", {"duty": past.pk, "message": "too late"})
    assert response.status_code == 400
    assert "already started" in response.context["form"].errors["duty"][0]
    assert not SwapRequest.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "data",
    [{}, {"duty": "abc"}, {"duty": "999999"}, {"duty": "1", "target": "x"}, {"duty": ["1", "2"]}],
)
def test_garbage_swap_requests_give_field_errors_not_server_errors(
    client: Client, duty: Assignment, data: dict
) -> None:
    client.force_login(duty.person)
    response = client.post("/swaps/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not SwapRequest.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_i_cannot_ask_for_a_swap_of_someone_elses_duty(
    client: Client, duty: Assignment, taker: User
) -> None:
    client.force_login(taker)
    response = client.post("/swaps/new/", {"duty": duty.pk})
    assert response.status_code == 400 and "your own" in response.context["form"].errors["duty"][0]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_open_requests_are_listed_for_eligible_members_and_named_ones_only_for_their_target(
    client: Client, swap: SwapRequest, taker: User, outsider: User
) -> None:
    client.force_login(taker)
    assert f'data-swap="{swap.pk}"' in client.get("/swaps/").content.decode()
    client.force_login(outsider)  # not a member
    assert f'data-swap="{swap.pk}"' not in client.get("/swaps/").content.decode()
    swap.target = outsider
    swap.save()
    client.force_login(taker)
    assert f'data-swap="{swap.pk}"' not in client.get("/swaps/").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_taking_a_swap_moves_the_duty_and_tells_both_sides_and_the_managers(
    client: Client,
    swap: SwapRequest,
    taker: User,
    release_manager: User,
    mails_sent_at_once: None,
    django_capture_on_commit_callbacks,
) -> None:
    duty = swap.assignment
    version = Rota.objects.get(pk=duty.shift.rota_id).plan_version
    client.force_login(taker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/swaps/take/", {"id": swap.pk})
    assert response.status_code == 302
    duty.refresh_from_db()
    swap.refresh_from_db()
    assert duty.cancelled_at == NOW and duty.sequence == 1
    assert (swap.status, swap.taken_by) == (SwapStatus.ACCEPTED, taker)
    new = Assignment.objects.active().get(shift=duty.shift)
    assert (new.person, new.role, new.source) == (taker, "reviewer", AssignmentSource.SWAPPED)
    assert Rota.objects.get(pk=duty.shift.rota_id).plan_version == version + 1
    assert {m.to[0] for m in mail.outbox} == {duty.person.email, taker.email, release_manager.email}
    assert "took" in mail.outbox[0].subject
    assert f'data-duty="{new.pk}"' in client.get("/me/duties/").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_second_person_to_take_a_request_sees_why_they_cannot(
    client: Client, swap: SwapRequest, taker: User, review_rota: Rota
) -> None:
    late = make_user("lars", organisation="x")
    Membership.objects.create(user=late, rota=review_rota, roles=["reviewer"])
    client.force_login(taker)
    assert client.post("/swaps/take/", {"id": swap.pk}).status_code == 302
    client.force_login(late)
    response = client.post("/swaps/take/", {"id": swap.pk})
    assert response.status_code == 409
    assert "already accepted by Tara" in response.content.decode()
    assert Assignment.objects.active().filter(person=late).count() == 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_taking_rechecks_eligibility_and_time_off(
    client: Client, swap: SwapRequest, taker: User, outsider: User
) -> None:
    client.force_login(outsider)
    response = client.post("/swaps/take/", {"id": swap.pk})
    assert response.status_code == 404  # not a member: the request is not theirs to see

    TimeOff.objects.create(user=taker, start=date(2026, 3, 10), end=date(2026, 3, 11))
    client.force_login(taker)
    response = client.post("/swaps/take/", {"id": swap.pk})
    assert response.status_code == 409 and "time off" in response.content.decode()
    TimeOff.objects.all().delete()

    Membership.objects.filter(user=taker).update(paused=True)
    assert "paused" in client.post("/swaps/take/", {"id": swap.pk}).content.decode()
    Membership.objects.filter(user=taker).update(paused=False, roles=["lead"])
    assert "role" in client.post("/swaps/take/", {"id": swap.pk}).content.decode()
    Membership.objects.filter(user=taker).update(roles=["reviewer"])

    make_duty(swap.assignment.shift, taker)
    assert "already on duty" in client.post("/swaps/take/", {"id": swap.pk}).content.decode()
    swap.refresh_from_db()
    assert swap.status == SwapStatus.OPEN


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_request_named_for_someone_else_cannot_be_taken_and_garbage_is_404(
    client: Client, swap: SwapRequest, taker: User, outsider: User
) -> None:
    swap.target = outsider
    swap.save()
    client.force_login(taker)
    assert client.post("/swaps/take/", {"id": swap.pk}).status_code == 404
    for data in [{}, {"id": "abc"}, {"id": "-1"}, {"id": "99999999999999999999999"}]:
        assert client.post("/swaps/take/", data).status_code == 404
        assert client.post("/swaps/withdraw/", data).status_code == 404
    assert client.post("/swaps/take/", {"id": 424242}).status_code == 404
    assert client.get("/swaps/take/").status_code == 405


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_i_can_withdraw_my_request_before_it_is_taken_but_not_someone_elses(
    client: Client, swap: SwapRequest, taker: User
) -> None:
    client.force_login(taker)
    assert client.post("/swaps/withdraw/", {"id": swap.pk}).status_code == 404
    client.force_login(swap.requester)
    assert client.post("/swaps/withdraw/", {"id": swap.pk}).status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapStatus.WITHDRAWN
    assert client.post("/swaps/withdraw/", {"id": swap.pk}).status_code == 409
    client.force_login(taker)
    assert client.post("/swaps/take/", {"id": swap.pk}).status_code == 409
    assert Assignment.objects.active().get(shift=swap.assignment.shift).person == swap.requester


@pytest.mark.django_db
def test_the_conditional_update_lets_exactly_one_taker_claim_a_request(
    swap: SwapRequest, taker: User, outsider: User
) -> None:
    assert services.swap_request_claim(swap.pk, taker, NOW) is True
    assert services.swap_request_claim(swap.pk, outsider, NOW) is False
    swap.refresh_from_db()
    assert swap.taken_by == taker


@pytest.mark.django_db
def test_a_taker_who_read_the_request_while_it_was_open_still_loses_to_the_first(
    swap: SwapRequest, taker: User, review_rota: Rota, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulates the interleaving the row lock prevents on PostgreSQL: the second taker's
    checks ran before the first committed. The conditional UPDATE alone still refuses it."""
    late = make_user("lars", organisation="x")
    Membership.objects.create(user=late, rota=review_rota, roles=["reviewer"])
    real_claim = services.swap_request_claim

    def first_wins_meanwhile(swap_id: int, who: User, now: datetime) -> bool:
        assert real_claim(swap_id, taker, now)  # the other taker commits in between
        return real_claim(swap_id, who, now)

    monkeypatch.setattr(services, "swap_request_claim", first_wins_meanwhile)
    with (
        time_machine.travel(NOW, tick=False),
        # Named as people see them (their display name), never by their username.
        pytest.raises(ValidationError, match="Too late: Tara took it first"),
    ):
        services.swap_request_accept(late, swap.pk)
    assert not Assignment.objects.active().filter(person=late).exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_one_request_at_once_gives_one_winner(
    review_rota: Rota, mails_sent_at_once: None
) -> None:
    requester = make_user("rita", organisation="r")
    Membership.objects.create(user=requester, rota=review_rota, roles=["reviewer"])
    takers = []
    for name in ("tom", "tia"):
        person = make_user(name, organisation=name)
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
        takers.append(person)
    duty = make_duty(make_shift(review_rota, NEXT_MONDAY), requester)
    swap = SwapRequest.objects.create(assignment=duty, requester=requester)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(person: User) -> None:
        barrier.wait()
        try:
            services.swap_request_accept(person, swap.pk, now=NOW)
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        except Exception as error:  # SQLite may refuse the second writer outright
            outcomes.append(f"refused: {type(error).__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("won") == 1, outcomes
    assert Assignment.objects.active().filter(shift=duty.shift).count() == 1
    assert Assignment.objects.active().get(shift=duty.shift).person in takers
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.ACCEPTED


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_swapped_duty_survives_later_replans(member: Membership, taker: User) -> None:
    rota = member.rota
    for i, zone in enumerate(["America/New_York", "Asia/Tokyo", "Europe/Madrid"]):
        person = make_user(f"c{i}", time_zone=zone, organisation=f"org{i}")
        Membership.objects.create(user=person, rota=rota, roles=["reviewer"])
    rota_plan(rota.pk, now=NOW)
    # A duty of the volunteer beyond the freeze window, where a re-plan may move planned seats.
    duty = (
        Assignment.objects.active()
        .filter(person=member.user, shift__starts_at__gt=NOW + timedelta(weeks=rota.freeze_weeks))
        .exclude(shift__assignments__person=taker, shift__assignments__cancelled_at=None)
        .first()
    )
    assert duty is not None
    swap = services.swap_request_create(member.user, duty.pk)
    taken = services.swap_request_accept(taker, swap.pk)
    TimeOff.objects.create(user=member.user, start=date(2026, 1, 1), end=date(2026, 12, 31))
    for later in (NOW, NOW + timedelta(days=1)):
        rota_plan(rota.pk, now=later, trigger="manual")
    taken.refresh_from_db()
    assert taken.cancelled_at is None and taken.person == taker
    assert not Assignment.objects.active().filter(shift=duty.shift, person=member.user).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_swap_raises_the_sequence_of_the_co_worker_whose_event_now_names_someone_else(
    swap: SwapRequest, taker: User, outsider: User
) -> None:
    co_worker = make_duty(swap.assignment.shift, outsider)
    services.swap_request_accept(taker, swap.pk, now=NOW)
    co_worker.refresh_from_db()
    assert co_worker.cancelled_at is None
    assert co_worker.sequence == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_open_request_is_listed_for_someone_whose_earlier_seat_in_that_shift_was_cancelled(
    client: Client, swap: SwapRequest, taker: User
) -> None:
    make_duty(swap.assignment.shift, taker, cancelled_at=NOW - timedelta(days=1))
    client.force_login(taker)
    assert f'data-swap="{swap.pk}"' in client.get("/swaps/").content.decode()
    make_duty(swap.assignment.shift, taker)
    assert f'data-swap="{swap.pk}"' not in client.get("/swaps/").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_someone_on_time_off_during_the_duty_cannot_be_named_nor_sees_the_request(
    client: Client, swap: SwapRequest, taker: User
) -> None:
    TimeOff.objects.create(user=taker, start=date(2026, 3, 10), end=date(2026, 3, 11))
    duty = swap.assignment
    swap.delete()
    client.force_login(duty.person)
    assert "Tara" not in client.get(f"/swaps/new/?duty={duty.pk}").content.decode()
    with pytest.raises(ValidationError, match="cannot take this duty"):
        services.swap_request_create(duty.person, duty.pk, target_id=taker.pk)
    open_swap = services.swap_request_create(duty.person, duty.pk)
    client.force_login(taker)
    assert f'data-swap="{open_swap.pk}"' not in client.get("/swaps/").content.decode()
    TimeOff.objects.all().delete()
    assert f'data-swap="{open_swap.pk}"' in client.get("/swaps/").content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_request_whose_duty_was_cancelled_shows_as_expired_and_is_expired_on_pausing(
    client: Client, swap: SwapRequest, member: Membership
) -> None:
    Assignment.objects.filter(pk=swap.assignment_id).update(cancelled_at=NOW)
    client.force_login(member.user)
    page = client.get("/swaps/").content.decode()
    mine = page.split(f'data-my-swap="{swap.pk}"')[1].split("</li>")[0]
    assert "Expired" in mine and "Withdraw" not in mine
    services.membership_pause(member.user, member.pk, now=NOW)
    swap.refresh_from_db()
    assert (swap.status, swap.decided_at) == (SwapStatus.EXPIRED, NOW)


@pytest.mark.django_db
def test_requests_for_duties_that_started_expire_once(swap: SwapRequest) -> None:
    with time_machine.travel(NOW, tick=False):
        assert services.swap_requests_expire(NOW) == 0
    later = NEXT_MONDAY + timedelta(minutes=1)
    assert services.swap_requests_expire(later, rota_ids=[]) == 0
    assert services.swap_requests_expire(later) == 1
    swap.refresh_from_db()
    assert swap.status == SwapStatus.EXPIRED
    assert services.swap_requests_expire(later) == 0  # safe to run twice


@pytest.mark.django_db
def test_a_retry_mails_only_the_people_the_first_try_did_not_reach(
    swap: SwapRequest, release_manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send = EmailChannel.send

    def manager_server_away(channel: EmailChannel, message: Message) -> None:
        if message.address == release_manager.email:
            raise ConnectionRefusedError("SMTP server away")
        real_send(channel, message)

    monkeypatch.setattr(EmailChannel, "send", manager_server_away)
    with pytest.raises(OSError, match="1 retry"):
        notification_tasks.swap_news_send_task(swap.pk, "requested")
    assert [m.to for m in mail.outbox] == [[swap.requester.email]]
    monkeypatch.setattr(EmailChannel, "send", real_send)
    assert notification_tasks.swap_news_send_task(swap.pk, "requested").endswith(
        ": 1 sent, 1 already"
    )
    assert [m.to for m in mail.outbox] == [[swap.requester.email], [release_manager.email]]


@pytest.mark.django_db
def test_a_newline_in_a_stored_name_cannot_break_the_subject_line(swap: SwapRequest) -> None:
    User.objects.filter(pk=swap.requester_id).update(display_name="Vera\r\nBcc: all@example.org")
    assert notification_tasks.swap_news_send_task(swap.pk, "requested").endswith(": 1 sent")
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert set(message.extra_headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert message.bcc == []


@pytest.mark.django_db
def test_the_hourly_task_expires_requests_whose_duty_has_started(swap: SwapRequest) -> None:
    from rota.celery import app
    from rota.rotas.tasks import swap_requests_expire_task

    with time_machine.travel(NEXT_MONDAY + timedelta(hours=1), tick=False):
        assert swap_requests_expire_task() == "expired 1 swap requests"
    swap.refresh_from_db()
    assert swap.status == SwapStatus.EXPIRED
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "rota.rotas.tasks.swap_requests_expire_task" in scheduled
