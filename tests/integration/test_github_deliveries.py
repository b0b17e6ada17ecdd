"""GitHub deliveries with real services: Redis stopped while they arrive, a real worker after.

Starts its own redis-server (see test_faults), the GitHub stand-in and, on PostgreSQL, a real
Celery worker: nothing received while Redis is away is lost, nothing is requested twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from rota.github.models import AuthKind, Delivery, DeliveryStatus, Repository
from rota.rotas import outbox
from rota.rotas.models import Assignment, OutboxTask, Rota, Shift
from tests.conftest import make_user
from tests.github.conftest import FULL_NAME, SECRET, deliver
from tests.github.described import payload
from tests.github.standin import StandIn
from tests.integration.test_faults import (  # noqa: F401 - own_redis is a fixture
    RedisServer,
    _test_database_url,
    _worker,
    own_redis,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_standin() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()
    assert server.violations == []


def test_deliveries_while_redis_is_stopped_are_answered_at_once_and_processed_once_later(
    own_redis: RedisServer,  # noqa: F811 - the fixture imported above
    review_rota: Rota,
    live_standin: StandIn,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.GITHUB_API_URL = live_standin.url
    now = timezone.now()
    shift = Shift.objects.create(
        rota=review_rota,
        key="now",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
    )
    for name in ("ann", "bo"):
        person = make_user(name, github_login=f"{name}-gh")
        Assignment.objects.create(shift=shift, person=person, role="reviewer")
    repository = Repository(full_name=FULL_NAME, review_rota=review_rota, auth_kind=AuthKind.TOKEN)
    repository.secrets_set(webhook_secret=SECRET, token="github_pat_test")
    repository.save()
    OutboxTask.objects.all().delete()
    own_redis.stop()

    client = Client()
    started = time.monotonic()
    for number in (21, 22, 23):
        body = payload("pull_request.opened")
        body["pull_request"]["number"] = number
        assert deliver(client, "pull_request", body, f"outage-{number}").status_code == 202
    deliver(client, "pull_request", payload("pull_request.opened"), "outage-21")  # redelivered
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"the webhook waited {elapsed:.1f} s on a stopped Redis"
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 3
    assert OutboxTask.objects.filter(key__startswith="github:").count() == 3

    own_redis.start()
    outbox.broker_pause_reset()
    sent, failed = outbox.outbox_sweep()
    assert (sent, failed) == (3, 0) and own_redis.queued() == 3

    if connection.vendor != "postgresql":
        if os.environ.get("DATABASE_URL"):
            pytest.fail("DATABASE_URL is set but the tests do not run on PostgreSQL")
        pytest.skip("a worker process needs PostgreSQL shared with the test; CI runs it")
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": own_redis.url,
        "GITHUB_API_URL": live_standin.url,
        "ROTA_VAR_DIR": str(tmp_path),
        "ROTA_OUTBOX_SWEEP_SECONDS": "2",
    }
    worker = _worker(env)
    try:
        assert wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.DONE).count() == 3, 90
        ), list(Delivery.objects.values_list("status", "error"))
        time.sleep(3)  # a duplicate, if any, would arrive now
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    by_pull: dict[int, list[str]] = {}
    for seen in live_standin.calls("request"):
        by_pull.setdefault(int(seen.path.split("/")[5]), []).extend(seen.body["reviewers"])
    assert {n: sorted(logins) for n, logins in by_pull.items()} == {
        n: ["ann-gh", "bo-gh"] for n in (21, 22, 23)
    }
