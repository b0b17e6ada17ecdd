"""A notice goes out once, however often its task runs; one that cannot be sent is retried
and then shown to the rota's managers as failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import User
from rota.notifications.channels import EmailChannel, Message
from rota.notifications.models import Notice, NoticeKind, NoticeStatus
from rota.notifications.services import NOTICE_MAX_ATTEMPTS, NoticesToRetry
from rota.notifications.tasks import plan_run_notices_send_task, reminders_send_task
from rota.rotas.models import PlanRun, Rota
from tests.notifications.beat import run_at
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

FRIDAY_IN_KOLKATA = datetime(2026, 3, 6, 4, tzinfo=UTC)  # 09:30 in Kolkata


@pytest.fixture
def run(review_rota: Rota, volunteer: User, release_manager: User) -> PlanRun:
    changes = [
        {"change": "added", "shift": "a", "starts_at": "2026-03-09T09:00:00+00:00",
         "person": person.pk, "name": person.name, "role": "reviewer"}
        for person in (volunteer, release_manager)
    ]  # fmt: skip
    return PlanRun.objects.create(
        rota=review_rota, trigger="manual", status="applied", started_at=FRIDAY_IN_KOLKATA,
        changes=changes,
    )  # fmt: skip


def server_away(channel: EmailChannel, message: Message) -> None:
    raise ConnectionRefusedError("SMTP server away")


def test_a_task_run_twice_sends_each_notice_once(run: PlanRun) -> None:
    plan_run_notices_send_task(run.pk)
    plan_run_notices_send_task(run.pk)
    assert len(mail.outbox) == 2
    assert Notice.objects.filter(status=NoticeStatus.SENT).count() == 2


def test_a_notice_being_sent_by_another_worker_is_not_sent_again(
    run: PlanRun, volunteer: User
) -> None:
    Notice.objects.create(
        recipient=volunteer,
        kind=NoticeKind.DUTIES_CHANGED,
        subject=f"plan-run:{run.pk}",
        claimed_at=timezone.now(),
    )
    assert plan_run_notices_send_task(run.pk).endswith("1 sent, 1 already")
    assert [m.to for m in mail.outbox] == [["rhea@example.org"]]


def test_a_failed_send_is_retried_and_then_shown_to_managers_as_failed(
    run: PlanRun, volunteer: User, release_manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send = EmailChannel.send

    def vera_unreachable(channel: EmailChannel, message: Message) -> None:
        if message.address == volunteer.email:
            raise ConnectionRefusedError("SMTP server away")
        real_send(channel, message)

    monkeypatch.setattr(EmailChannel, "send", vera_unreachable)
    for _ in range(NOTICE_MAX_ATTEMPTS - 1):
        with pytest.raises(NoticesToRetry):
            plan_run_notices_send_task(run.pk)
    assert plan_run_notices_send_task(run.pk).endswith("1 already, 1 failed")
    assert len(mail.outbox) == 1  # the manager, once
    notice = Notice.objects.get(recipient=volunteer)
    assert (notice.status, notice.attempts) == (NoticeStatus.FAILED, NOTICE_MAX_ATTEMPTS)
    assert notice.last_error == "ConnectionRefusedError: SMTP server away"
    client = Client()
    client.force_login(release_manager)
    page = client.get("/manage/").content.decode()
    assert "Notices not delivered" in page
    assert f"failed after {NOTICE_MAX_ATTEMPTS} tries: ConnectionRefusedError" in page


def test_the_task_declares_its_retry_with_backoff() -> None:
    assert plan_run_notices_send_task.autoretry_for == (OSError,)
    assert plan_run_notices_send_task.retry_backoff == 10
    assert plan_run_notices_send_task.max_retries == NOTICE_MAX_ATTEMPTS - 1


def test_a_worker_that_died_mid_send_leaves_the_notice_unsent_and_flagged(
    run: PlanRun, volunteer: User, release_manager: User, client: Client
) -> None:
    Notice.objects.create(
        recipient=volunteer,
        kind=NoticeKind.DUTIES_CHANGED,
        subject=f"plan-run:{run.pk}",
        rota=run.rota,
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=1,
    )
    plan_run_notices_send_task(run.pk)
    assert [m.to for m in mail.outbox] == [[release_manager.email]]
    client.force_login(release_manager)
    assert "it may not have arrived" in client.get("/manage/").content.decode()


def test_a_periodic_run_that_fails_leaves_the_reminder_for_the_next_run(
    review_rota: Rota, volunteer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_duty(make_shift(review_rota, datetime(2026, 3, 9, 9, tzinfo=UTC)), volunteer)
    monkeypatch.setattr(EmailChannel, "send", server_away)
    assert run_at(reminders_send_task, FRIDAY_IN_KOLKATA) == "reminders: 1 retry"
    monkeypatch.undo()
    assert run_at(reminders_send_task, FRIDAY_IN_KOLKATA) == "reminders: 1 sent"
    assert run_at(reminders_send_task, FRIDAY_IN_KOLKATA) == "reminders: none due"
    assert len(mail.outbox) == 1
