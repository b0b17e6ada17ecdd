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
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_plans_a_rota_sent_through_the_broker(worker, review_rota):
    people = [("ann", "Asia/Kolkata"), ("bob", "Europe/Berlin"), ("cy", "America/Chicago")]
    for name, zone in people:
        # Each membership records a re-plan in the outbox and nudges the task after commit.
        Membership.objects.create(
            user=make_user(name, time_zone=zone, organisation=name), rota=review_rota
        )
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
