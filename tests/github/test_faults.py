"""A rate-limited, failing, slow and absent GitHub; a broker that is away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from rota.github.models import Delivery, DeliveryStatus, Repository
from rota.github.services import delivery_store
from rota.github.tasks import delivery_process_task
from rota.rotas import outbox
from rota.rotas.models import Assignment, OutboxTask, Rota, Shift
from tests.conftest import make_user
from tests.github.conftest import deliver
from tests.github.described import payload
from tests.github.standin import Reply, StandIn

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


@pytest.fixture
def on_duty(db: None, review_rota: Rota) -> User:
    person = make_user("alice", github_login="alice-gh", time_zone="Europe/Berlin")
    shift = Shift.objects.create(
        rota=review_rota,
        key="now",
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=6),
    )
    Assignment.objects.create(shift=shift, person=person, role="reviewer")
    return person


def store(repository: Repository, delivery: str = "d-1", at: datetime = NOW) -> Delivery:
    with time_machine.travel(at, tick=False):
        delivery_store(repository, delivery, "pull_request", payload("pull_request.opened"), at)
    return Delivery.objects.get(delivery_id=delivery)


def run(delivery: Delivery, at: datetime = NOW) -> str:
    with time_machine.travel(at, tick=False):
        outcome = delivery_process_task(delivery.pk)
    delivery.refresh_from_db()
    return outcome


def due_in(delivery: Delivery, at: datetime = NOW) -> float:
    row = OutboxTask.objects.get(key=f"github:delivery:{delivery.pk}")
    assert row.nudged_at is None  # the sweep sends it when due
    return (row.due_at - at).total_seconds()


def test_a_spent_primary_rate_limit_waits_for_its_reset_and_asks_github_nothing_meanwhile(
    repository: Repository, on_duty: User, standin: StandIn
) -> None:
    reset = int(NOW.timestamp()) + 900
    standin.replies["files"].append(
        Reply(
            403,
            {"message": "API rate limit exceeded for installation."},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        )
    )
    first = store(repository)
    assert "retry in" in run(first)
    assert first.status == DeliveryStatus.PENDING and "rate limit" in first.error
    assert 900 <= due_in(first) <= 900 * 1.2
    # Another delivery meanwhile does not spend a request on GitHub.
    calls = len(standin.seen)
    second = store(repository, "d-2")
    run(second, NOW + timedelta(minutes=1))
    assert len(standin.seen) == calls
    assert 780 <= due_in(second, NOW + timedelta(minutes=1)) <= 900 * 1.2


@pytest.mark.parametrize(
    ("reply", "least"),
    [
        (Reply(403, {"message": "You have exceeded a secondary rate limit."}), 60),
        (Reply(429, {"message": "Too many requests"}, {"retry-after": "5"}), 60),
        (Reply(403, {"message": "slow down"}, {"retry-after": "120"}), 120),
    ],
)
def test_secondary_limits_wait_at_least_a_minute_or_what_retry_after_says(
    repository: Repository, on_duty: User, standin: StandIn, reply: Reply, least: int
) -> None:
    standin.replies["request"].append(reply)
    delivery = store(repository)
    run(delivery)
    assert delivery.status == DeliveryStatus.PENDING
    assert least <= due_in(delivery) <= least * 1.2


def test_backoff_grows_with_each_try_and_has_jitter(
    repository: Repository, on_duty: User, standin: StandIn
) -> None:
    delays = []
    delivery = store(repository)
    for attempt in range(1, 4):
        standin.replies["files"].append(Reply(502, {"message": "Bad gateway"}))
        at = NOW + timedelta(hours=attempt)
        run(delivery, at)
        delays.append(due_in(delivery, at))
        assert 10 * 2 ** (attempt - 1) <= delays[-1] <= 10 * 2 ** (attempt - 1) * 1.2
    assert delays == sorted(delays)


def test_a_timeout_is_retried_and_the_retry_succeeds_once(
    repository: Repository,
    on_duty: User,
    standin: StandIn,
    settings: Any,
    tasks_run_in_process: list[str],
) -> None:
    settings.GITHUB_TIMEOUT_SECONDS = 1
    standin.replies["request"].append(Reply(201, {}, delay=1.5))
    delivery = store(repository)
    assert "retry in" in run(delivery)
    assert "timed out" in delivery.error
    # GitHub did take the slow request; the retry asks again for the same person, which
    # GitHub treats as the same request: one reviewer, asked once more at most.
    later = NOW + timedelta(seconds=due_in(delivery) + 1)
    with time_machine.travel(later, tick=False):
        outbox.outbox_sweep(later)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DONE
    assert standin.requested() == ["alice-gh", "alice-gh"]


def test_after_the_last_try_the_delivery_is_failed_and_shown_to_managers(
    client: Client,
    repository: Repository,
    on_duty: User,
    standin: StandIn,
    settings: Any,
    release_manager: User,
) -> None:
    settings.GITHUB_MAX_ATTEMPTS = 2
    delivery = store(repository)
    for attempt in range(2):
        standin.replies["files"].append(Reply(503, {"message": "Service unavailable"}))
        run(delivery, NOW + timedelta(hours=attempt))
    assert delivery.status == DeliveryStatus.FAILED
    assert "gave up after 2 tries" in delivery.error
    assert not OutboxTask.objects.filter(key__startswith="github:").exists()
    client.force_login(release_manager)
    page = client.get("/github/decisions/").content.decode()
    assert "d-1" in page and "gave up after 2 tries" in page


def test_a_refusal_github_would_repeat_fails_at_once(
    repository: Repository, on_duty: User, standin: StandIn
) -> None:
    standin.replies["files"].append(Reply(404, {"message": "Not Found"}))
    delivery = store(repository)
    run(delivery)
    assert delivery.status == DeliveryStatus.FAILED and "Not Found" in delivery.error


def test_a_failed_delivery_can_be_tried_again_from_the_admin(
    client: Client,
    repository: Repository,
    on_duty: User,
    standin: StandIn,
    sent_tasks: list[tuple[str, list[object], float]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    standin.replies["files"].append(Reply(404, {"message": "Not Found"}))
    delivery = store(repository)
    run(delivery)
    admin = User.objects.create_superuser("root", "root@example.org", "pw-for-tests-only-1")
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/github/delivery/", {"action": "retry", "_selected_action": [delivery.pk]}
        )
    assert sent_tasks == [("rota.github.tasks.delivery_process_task", [delivery.pk], 0)]
    run(delivery, NOW + timedelta(minutes=5))
    assert delivery.status == DeliveryStatus.DONE
    assert standin.requested() == ["alice-gh"]


def test_deliveries_received_while_the_broker_is_away_are_processed_when_it_returns(
    client: Client,
    repository: Repository,
    on_duty: User,
    standin: StandIn,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from rota.celery import app

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("broker is away")

    monkeypatch.setattr(app, "send_task", refuse)
    outbox.broker_pause_reset()
    clock = time_machine.travel(NOW, tick=False)
    clock.start()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            body = payload("pull_request.opened")
            body["pull_request"]["number"] = 10 + n
            assert deliver(client, "pull_request", body, f"away-{n}").status_code == 202
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 3
    assert standin.requested() == []

    ran: list[str] = []
    monkeypatch.setattr(
        outbox,
        "broker_send",
        lambda task, args, countdown=0: (
            task.startswith("rota.github.") and ran.append(app.tasks[task](*args))
        ),
    )
    outbox.broker_pause_reset()
    outbox.outbox_sweep(timezone.now())
    outbox.outbox_sweep(timezone.now())  # a second sweep finds nothing left to send
    clock.stop()
    assert Delivery.objects.filter(status=DeliveryStatus.DONE).count() == 3
    assert sorted(c.path for c in standin.calls("request")) == [
        f"/repos/{repository.full_name}/pulls/{n}/requested_reviewers" for n in (10, 11, 12)
    ]
