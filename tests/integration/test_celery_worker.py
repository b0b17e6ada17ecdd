"""A real Celery worker on the configured broker (Redis in CI, the embedded broker otherwise)
runs the plan task against the real database."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from rota.celery import app
from rota.rotas.models import Membership, OutboxTask, PlanRun, PlanRunStatus, Shift
from tests.conftest import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    ) as running:
        yield running


def wait_for(predicate, timeout=30.0):
    from django.db import OperationalError

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:
            # SQLite's shared in-memory test database locks whole tables while the worker's
            # thread writes; PostgreSQL (CI) never does. Look again.
            pass
        time.sleep(0.1)
    return False


def test_the_worker_plans_a_rota_sent_through_the_broker(worker, review_rota):
    people = [("ann", "Asia/Kolkata"), ("bob", "Europe/Berlin"), ("cy", "America/Chicago")]
    from django.db import transaction

    users = [make_user(name, time_zone=zone, organisation=name) for name, zone in people]
    with transaction.atomic():
        # Each membership records a re-plan in the outbox; the task is nudged after commit.
        for user in users:
            Membership.objects.create(user=user, rota=review_rota)
    assert wait_for(
        lambda: (
            PlanRun.objects.filter(rota=review_rota, status=PlanRunStatus.APPLIED).exists()
            and not OutboxTask.objects.exists()
        )
    )
    assert Shift.objects.filter(rota=review_rota).count() > 20


def test_the_broker_in_use_is_redis_when_redis_url_is_set():
    expected = "redis" if os.environ.get("REDIS_URL") else "filesystem"
    assert app.connection_for_write().transport.driver_type == expected


def test_the_worker_sends_swap_news_from_the_outbox(worker, review_rota):
    from datetime import UTC, datetime, timedelta

    from django.core import mail
    from django.db import transaction

    from rota.rotas.services import swap_request_create
    from tests.rotas.duties import make_duty, make_shift

    # The plan the rota's creation asked for runs first: SQLite's shared in-memory test
    # database refuses, rather than waits for, a write beside the worker's.
    assert wait_for(lambda: not OutboxTask.objects.exists())
    with transaction.atomic():  # one commit: the worker's plan never runs beside the set-up
        asker = make_user("asker", organisation="A")
        Membership.objects.create(user=asker, rota=review_rota)
        # Set by a manager, so the plan the membership asks for keeps it.
        shift = make_shift(review_rota, datetime.now(UTC) + timedelta(days=10))
        duty = make_duty(shift, asker, source="overridden")
    swap = swap_request_create(asker, duty.pk)
    assert wait_for(lambda: not OutboxTask.objects.filter(key__startswith="swap-news").exists())
    assert any(asker.email in m.to for m in mail.outbox)
    assert swap.pk
