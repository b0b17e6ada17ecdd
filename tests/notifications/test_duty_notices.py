"""Reminders, hand-off notes, "your duties changed" and managers' summaries: each reaches the
right people once, in their own time and inside their working hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from accounts.availability import WindowSpec
from accounts.models import User
from accounts.services import working_hours_replace
from rota.notifications.models import Notice, NoticeKind, NoticeStatus
from rota.notifications.tasks import (
    handoffs_send_task,
    manager_summaries_send_task,
    plan_run_notices_send_task,
    reminders_send_task,
)
from rota.rotas.models import Membership, OutboxTask, PlanRun, Rota
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.notifications.beat import run_at
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

MONDAY_0900_UTC = datetime(2026, 3, 9, 9, tzinfo=UTC)


def mails_to(user: User) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def kathmandu_duty(review_rota: Rota) -> tuple[User, User]:
    sita = make_user("sita", time_zone="Asia/Kathmandu", country="NP")
    diego = make_user("diego", time_zone="America/Mexico_City", country="MX")
    shift = make_shift(review_rota, MONDAY_0900_UTC)
    make_duty(shift, sita)
    make_duty(shift, diego)
    return sita, diego


def test_a_kathmandu_volunteer_is_reminded_when_fridays_work_starts_there(
    kathmandu_duty: tuple[User, User],
) -> None:
    sita, _diego = kathmandu_duty
    friday_0900_kathmandu = datetime(2026, 3, 6, 3, 15, tzinfo=UTC)
    run_at(reminders_send_task, friday_0900_kathmandu - timedelta(minutes=15))
    assert mails_to(sita) == []
    outcome = run_at(reminders_send_task, friday_0900_kathmandu)
    [message] = mails_to(sita)
    assert message.subject == "[PR review] Your reviewer duty starts Monday 14:45"
    assert "Monday 9 March 2026 14:45" in message.body and "(Asia/Kathmandu)" in message.body
    assert "Diego (reviewer, America/Mexico_City)" in message.body
    assert "1 sent" in outcome
    run_at(reminders_send_task, friday_0900_kathmandu + timedelta(minutes=15))
    assert len(mails_to(sita)) == 1


def test_a_reminder_never_goes_out_at_night_even_when_it_is_late(review_rota: Rota) -> None:
    tokyo = make_user("hana", time_zone="Asia/Tokyo", country="JP")
    # Given the duty only on Sunday: the reminder waits for Monday 09:00 in Tokyo.
    make_duty(make_shift(review_rota, MONDAY_0900_UTC), tokyo)  # 18:00 Monday in Tokyo
    sunday_night_tokyo = datetime(2026, 3, 8, 15, tzinfo=UTC)  # 00:00 Monday there
    run_at(reminders_send_task, sunday_night_tokyo)
    assert mails_to(tokyo) == []
    run_at(reminders_send_task, datetime(2026, 3, 9, 0, tzinfo=UTC))  # 09:00 Monday in Tokyo
    assert len(mails_to(tokyo)) == 1


def test_reminder_keeps_0900_when_new_york_springs_forward(review_rota: Rota) -> None:
    dana = make_user("dana", time_zone="America/New_York", country="US")
    make_duty(make_shift(review_rota, datetime(2026, 3, 9, 13, tzinfo=UTC)), dana)  # 09:00 EDT
    run_at(reminders_send_task, datetime(2026, 3, 6, 13, 45, tzinfo=UTC))  # 08:45 EST
    assert mails_to(dana) == []
    run_at(reminders_send_task, datetime(2026, 3, 6, 14, tzinfo=UTC))  # 09:00 EST
    assert len(mails_to(dana)) == 1


def test_a_cancelled_duty_is_not_reminded_of(kathmandu_duty: tuple[User, User]) -> None:
    sita, _ = kathmandu_duty
    sita.assignments.update(cancelled_at=MONDAY_0900_UTC - timedelta(days=5))
    run_at(reminders_send_task, datetime(2026, 3, 6, 3, 15, tzinfo=UTC))
    assert mails_to(sita) == []


def test_a_hand_off_note_names_who_is_on_and_their_local_time(
    kathmandu_duty: tuple[User, User],
) -> None:
    sita, diego = kathmandu_duty
    working_hours_replace(diego, [WindowSpec(d, time(8), time(16)) for d in range(5)])
    run_at(handoffs_send_task, MONDAY_0900_UTC - timedelta(minutes=1))
    assert mail.outbox == []
    run_at(handoffs_send_task, MONDAY_0900_UTC)  # 14:45 in Kathmandu, 03:00 in Mexico City
    [note] = mails_to(sita)
    assert note.subject == "[PR review] Your reviewer duty has started"
    assert "Diego (reviewer): Mon 03:00 America/Mexico_City" in note.body
    assert mails_to(diego) == []  # night in Mexico City: Diego's note waits
    run_at(handoffs_send_task, datetime(2026, 3, 9, 14, tzinfo=UTC))  # 08:00 in Mexico City
    [note] = mails_to(diego)
    assert "Sita (reviewer): Mon 19:45 Asia/Kathmandu" in note.body
    run_at(handoffs_send_task, datetime(2026, 3, 9, 14, 15, tzinfo=UTC))
    assert len(mail.outbox) == 2


@pytest.fixture
def community(review_rota: Rota) -> list[User]:
    people = [
        make_user("asha", time_zone="Asia/Kolkata", country="IN", organisation="Intel"),
        make_user("bo", time_zone="Asia/Shanghai", country="CN", organisation="Ant"),
        make_user("carl", time_zone="Europe/Berlin", country="DE", organisation="Red Hat"),
        make_user("dana", time_zone="America/New_York", country="US", organisation="IBM"),
    ]
    for person in people:
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    review_rota.horizon_weeks = 6
    review_rota.freeze_weeks = 0
    review_rota.save()
    return people


NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_an_applied_plan_tells_each_changed_person_once_in_their_own_time(
    community: list[User], tasks_run_in_process: list[str], django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        outcome = rota_plan(community[0].memberships.get().rota_id, now=NOW)
    assert "rota.notifications.tasks.plan_run_notices_send_task" in tasks_run_in_process
    changed = {c["person"] for c in outcome.changes}
    assert changed  # the first plan fills seats
    assert {m.to[0] for m in mail.outbox} == {u.email for u in User.objects.filter(pk__in=changed)}
    assert len(mail.outbox) == len(changed)
    asha = community[0]
    if asha.pk in changed:
        [message] = mails_to(asha)
        assert message.subject == "[PR review] You have new or changed duties"
        assert "(Asia/Kolkata)" in message.body and "+ new: reviewer from" in message.body
    assert not OutboxTask.objects.filter(key__startswith="plan-notices:").exists()
    # Run again (a duplicate delivery): nobody hears twice.
    plan_run_notices_send_task(outcome.run.pk)
    assert len(mail.outbox) == len(changed)


def test_a_plan_that_changes_nothing_for_a_person_says_nothing_to_them(
    community: list[User],
) -> None:
    rota_id = community[0].memberships.get().rota_id
    run = PlanRun.objects.create(
        rota_id=rota_id,
        trigger="manual",
        status="applied",
        started_at=NOW,
        changes=[
            {"change": "added", "shift": "k", "starts_at": "2026-12-07T09:00:00+00:00",
             "person": community[1].pk, "name": "Bo", "role": "reviewer"},
        ],
    )  # fmt: skip
    assert plan_run_notices_send_task(run.pk) == f"plan {run.pk}: 1 sent"
    [message] = mail.outbox
    assert message.to == [community[1].email]
    assert "Monday 7 December 2026 17:00" in message.body  # 09:00 UTC in Shanghai


def test_a_plan_awaiting_a_manager_tells_nobody_until_it_is_published(
    community: list[User], sent_tasks, django_capture_on_commit_callbacks
) -> None:
    rota = Rota.objects.get(pk=community[0].memberships.get().rota_id)
    Rota.objects.filter(pk=rota.pk).update(auto_publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        rota_plan(rota.pk, trigger="availability", now=NOW)
    assert not OutboxTask.objects.filter(key__startswith="plan-notices:").exists()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = rota_plan(rota.pk, trigger="publish", now=NOW)
    assert OutboxTask.objects.filter(key=f"plan-notices:{outcome.run.pk}").count() == 1


def test_managers_get_one_summary_a_week_in_their_working_hours(
    review_rota: Rota, release_manager: User
) -> None:
    shift = make_shift(review_rota, datetime(2026, 3, 16, 9, tzinfo=UTC), covered_hours=[9])
    shift.unfilled = [{"role": "reviewer", "reason": "nobody is free"}]
    shift.save()
    review_rota.min_coverage_hours = 8
    review_rota.save()
    monday_night_berlin = datetime(2026, 3, 9, 2, tzinfo=UTC)
    assert (
        run_at(manager_summaries_send_task, monday_night_berlin) == "managers' summaries: none due"
    )
    run_at(manager_summaries_send_task, datetime(2026, 3, 9, 8, tzinfo=UTC))  # 09:00 in Berlin
    [summary] = mail.outbox
    assert summary.subject == (
        "[PR review] Weekly summary: 1 weeks with unfilled seats, 1 under the minimum coverage"
    )
    assert "Mon 16 Mar 10:00: reviewer (nobody is free)" in summary.body
    run_at(manager_summaries_send_task, datetime(2026, 3, 10, 8, tzinfo=UTC))
    assert len(mail.outbox) == 1  # once a week
    run_at(manager_summaries_send_task, datetime(2026, 3, 16, 8, tzinfo=UTC))
    assert len(mail.outbox) == 2
    assert (
        Notice.objects.filter(kind=NoticeKind.MANAGER_SUMMARY, status=NoticeStatus.SENT).count()
        == 2
    )


def test_a_person_whose_zone_no_longer_exists_does_not_stop_everyone_elses_reminder(
    kathmandu_duty: tuple[User, User],
) -> None:
    sita, diego = kathmandu_duty
    User.objects.filter(pk=diego.pk).update(time_zone="Mars/Olympus_Mons")
    outcome = run_at(reminders_send_task, datetime(2026, 3, 6, 3, 15, tzinfo=UTC))
    assert outcome == "reminders: 1 sent, 1 unreachable"
    assert [m.to for m in mail.outbox] == [[sita.email]]
