"""Feeds against real services: a Redis cache that is stopped and started again under the
polls, and a real Celery worker that renders a rota's feeds after its plan."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.test import Client, override_settings
from django.urls import reverse

from rota.celery import app
from rota.feeds.selectors import feed_documents_forget
from rota.rotas.models import Membership, Rota
from rota.rotas.planning import rota_plan
from tests.conftest import make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server of this test's own, on its own port, that the test stops and starts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(REDIS), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if REDIS is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def planned(review_rota: Rota) -> Rota:
    for name, zone in (("ann", "Asia/Kolkata"), ("ben", "Europe/Berlin")):
        Membership.objects.create(
            user=make_user(name, time_zone=zone, organisation=name), rota=review_rota
        )
    return review_rota


def test_the_public_feed_answers_while_redis_is_stopped_and_caches_again_when_it_is_back(
    redis_server: RedisServer, planned: Rota
) -> None:
    url = reverse("feeds:public", kwargs={"slug": planned.slug})
    location = f"redis://127.0.0.1:{redis_server.port}/0"
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    }
    with override_settings(CACHES=caches):
        rota_plan(planned.pk)
        client = Client()
        first = client.get(url)
        assert first.status_code == 200
        assert redis.Redis.from_url(location).dbsize() >= 1  # the document went to Redis

        redis_server.stop()
        feed_documents_forget()  # as in a fresh web process: nothing in memory
        down = client.get(url)
        assert down.status_code == 200
        assert down["ETag"] == first["ETag"]

        redis_server.start()
        feed_documents_forget()
        back = client.get(url)
        assert back.status_code == 200
        assert back["ETag"] == first["ETag"]
        feed_documents_forget()
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.fixture
def worker(planned: Rota):
    # Only this test's plan: the re-plans queued while the rota was set up (and by earlier
    # tests) would bump its version under the test's feet.
    app.control.purge()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
    ) as running:
        yield running


def test_a_worker_renders_the_rota_feeds_after_a_plan(planned: Rota, worker, monkeypatch) -> None:
    from rota.feeds import selectors

    rendered: list[int] = []
    real = selectors.rota_feed_render

    def render(rota: Rota, public: bool, now: object) -> object:
        # Counted once rendered, not when started: the wait below must not let the poll in
        # while the worker is still writing the document (a race on a busy machine).
        document = real(rota, public, now)
        rendered.append(rota.pk)
        return document

    monkeypatch.setattr(selectors, "rota_feed_render", render)
    rota_plan(planned.pk)  # commits; the warm-up goes through the broker to the worker
    deadline = time.monotonic() + 30
    while not rendered and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rendered == [planned.pk]  # the public feed, by the worker
    feed_documents_forget()
    response = Client().get(reverse("feeds:public", kwargs={"slug": planned.slug}))
    assert response.status_code == 200
    assert rendered == [planned.pk]  # the poll read the worker's document
