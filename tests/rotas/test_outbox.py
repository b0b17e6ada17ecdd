"""The outbox: re-plans and notices are database rows first, so a broker outage or a worker
that dies loses nothing; the Celery task is only a nudge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from rota.notifications.channels import EmailChannel
from rota.rotas import outbox
from rota.rotas.models import Membership, OutboxTask, PlanRun, Rota, SwapRequest
from rota.rotas.planning import plan_outbox_key, rota_plan
from rota.rotas.tasks import plan_rota_task
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

PLAN_TASK = "rota.rotas.tasks.plan_rota_task"


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The broker refuses every send, as kombu does when Redis is stopped."""
    from rota.celery import app

    attempts: list[str] = []

    def refuse(name: str, *args: object, **kwargs: object) -> None:
        attempts.append(name)
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app, "send_task", refuse)
    outbox.broker_pause_reset()
    yield attempts
    outbox.broker_pause_reset()


def test_a_change_with_the_broker_down_is_kept_and_the_sweep_sends_it_once_it_is_back(
    member: Membership, broker_down: list[str], django_capture_on_commit_callbacks, monkeypatch
) -> None:
    OutboxTask.objects.all().delete()
    rota = member.rota
    with django_capture_on_commit_callbacks(execute=True):
        Rota.objects.get(pk=rota.pk).save()  # a rota change asks for a re-plan
    row = OutboxTask.objects.get(key=plan_outbox_key(rota.pk))
    assert broker_down == [PLAN_TASK]
    assert row.nudged_at is None and "Connection refused" in row.last_error

    # Still down: the sweep tries once, keeps the row and stops for this round.
    assert outbox.outbox_sweep() == (0, 1)
    assert OutboxTask.objects.filter(pk=row.pk, nudged_at__isnull=True).exists()

    # Back: the next sweep sends it.
    sent: list[tuple[str, list[object]]] = []
    monkeypatch.setattr(
        outbox, "broker_send", lambda task, args, countdown=0: sent.append((task, args))
    )
    assert outbox.outbox_sweep() == (1, 0)
    assert sent == [(PLAN_TASK, [rota.pk, "manual"])]
    assert OutboxTask.objects.get(pk=row.pk).nudged_at is not None
    assert outbox.outbox_sweep() == (0, 0)  # sent, not yet quiet: not sent twice


def test_after_one_refused_send_a_page_does_not_wait_on_the_broker_again(
    member: Membership, broker_down: list[str], django_capture_on_commit_callbacks
) -> None:
    other = Rota.objects.create(name="Triage", slug="triage", kind="triage")
    OutboxTask.objects.all().delete()  # the rows of the set-up, whose commits never come
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.create(user=make_user("tom"), rota=other, roles=["triager"])
        Membership.objects.create(user=make_user("tim"), rota=member.rota, roles=["reviewer"])
    assert len(broker_down) == 1  # the second nudge did not try the broker
    assert OutboxTask.objects.filter(nudged_at__isnull=True).count() == 2


@time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False)
def test_pages_answer_normally_with_the_broker_down_and_the_swap_notice_waits_in_the_outbox(
    client: Client, member: Membership, broker_down: list[str]
) -> None:
    client.force_login(member.user)
    response = client.post("/me/time-off/", {"start": "2026-03-10", "end": "2026-03-12"})
    assert response.status_code == 303
    assert member.user.time_off.count() == 1

    taker = make_user("tara", time_zone="Europe/London", country="GB")
    Membership.objects.create(user=taker, rota=member.rota, roles=["reviewer"])
    duty = make_duty(make_shift(member.rota, datetime(2026, 3, 16, 9, tzinfo=UTC)), member.user)
    swap = SwapRequest.objects.create(assignment=duty, requester=member.user)
    client.force_login(taker)
    assert client.post("/swaps/take/", {"id": swap.pk}).status_code == 302
    assert OutboxTask.objects.filter(key=f"swap-news:{swap.pk}:accepted").exists()


def test_a_plan_run_removes_the_request_it_answered(member: Membership, sent_tasks) -> None:
    key = plan_outbox_key(member.rota_id)
    assert OutboxTask.objects.filter(key=key).exists()  # joining asked for a plan
    assert plan_rota_task.apply(args=(member.rota_id, "membership")).get().startswith("applied")
    assert not OutboxTask.objects.filter(key=key).exists()
    # Delivered twice (a redelivery, a sweep): the second finds nothing to do.
    assert plan_rota_task.apply(args=(member.rota_id, "membership")).get() == (
        f"rota {member.rota_id}: no re-plan pending"
    )
    assert PlanRun.objects.count() == 1


def test_a_change_committed_during_a_plan_run_gets_a_run_of_its_own(
    member: Membership, sent_tasks, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from rota.rotas import planning

    key = plan_outbox_key(member.rota_id)
    real_problem = planning.problem_for_community

    def change_meanwhile(rotas, now):
        found = real_problem(rotas, now)
        # Another request lands after this run read its data (a new token on the row).
        OutboxTask.objects.filter(key=key).update(token=uuid.uuid4())
        return found

    monkeypatch.setattr(planning, "problem_for_community", change_meanwhile)
    with django_capture_on_commit_callbacks(execute=True):
        rota_plan(member.rota_id)
    row = OutboxTask.objects.get(key=key)
    # The newer change gets a plan run of its own (the plan's own notices go out too).
    assert [task for task, _args, _countdown in sent_tasks if task == PLAN_TASK] == [PLAN_TASK]
    assert row.nudged_at is not None  # nudged again, right away


def test_a_failing_run_keeps_its_request_and_is_retried_less_and_less_often(
    member: Membership, sent_tasks, monkeypatch, settings
) -> None:
    from rota.rotas import planning

    settings.ROTA_OUTBOX_RETRY_SECONDS = 10
    key = plan_outbox_key(member.rota_id)
    monkeypatch.setattr(planning.engine, "plan", lambda problem: 1 / 0)
    start = datetime(2030, 3, 4, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False), pytest.raises(ZeroDivisionError):
        rota_plan(member.rota_id)
    row = OutboxTask.objects.get(key=key)
    assert row.attempts == 1 and "ZeroDivisionError" in row.last_error
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert outbox.outbox_sweep() == (0, 0)
    with time_machine.travel(start + timedelta(seconds=11), tick=False):
        assert outbox.outbox_sweep() == (1, 0)
    OutboxTask.objects.filter(key=key).update(attempts=4)
    with time_machine.travel(start + timedelta(seconds=11 + 70), tick=False):
        assert outbox.outbox_sweep() == (0, 0)  # 4 attempts: wait 80 s
    with time_machine.travel(start + timedelta(seconds=11 + 81), tick=False):
        assert outbox.outbox_sweep() == (1, 0)


def test_the_daily_horizon_extension_goes_through_the_outbox(member: Membership, sent_tasks):
    from rota.rotas.tasks import rotas_extend_horizon_task

    OutboxTask.objects.all().delete()
    assert rotas_extend_horizon_task.apply().get() == "queued 1 rotas"
    assert OutboxTask.objects.filter(key=plan_outbox_key(member.rota_id)).exists()


def test_a_swap_notice_is_removed_only_once_every_recipient_was_reached(
    member: Membership, monkeypatch
) -> None:
    from rota.notifications import tasks as notification_tasks
    from rota.rotas.services import _swap_news_enqueue

    duty = make_duty(make_shift(member.rota, datetime(2030, 3, 16, 9, tzinfo=UTC)), member.user)
    swap = SwapRequest.objects.create(assignment=duty, requester=member.user)
    _swap_news_enqueue(swap.pk, "requested")
    key = f"swap-news:{swap.pk}:requested"

    def server_away(*args, **kwargs):
        raise OSError("SMTP server away")

    monkeypatch.setattr(EmailChannel, "send", server_away)
    with pytest.raises(OSError):
        notification_tasks.swap_news_send_task(swap.pk, "requested")
    assert OutboxTask.objects.filter(key=key).exists()
    monkeypatch.undo()
    assert "1 sent" in notification_tasks.swap_news_send_task(swap.pk, "requested")
    assert not OutboxTask.objects.filter(key=key).exists()


def test_time_off_save_says_the_replan_is_queued_when_it_could_not_run_now(
    client: Client, member: Membership, monkeypatch
) -> None:
    from rota.rotas import planning

    monkeypatch.setattr(planning.engine, "plan", lambda problem: 1 / 0)
    client.force_login(member.user)
    today = timezone.localdate().isoformat()
    response = client.post("/me/time-off/", {"start": today, "end": today}, follow=True)
    assert response.status_code == 200
    assert "queued" in response.content.decode()
    assert OutboxTask.objects.filter(key=plan_outbox_key(member.rota_id)).exists()
