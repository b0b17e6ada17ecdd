"""Shared fixtures: a fixed cast of people and a clean slate for every test."""

from __future__ import annotations

import os
import tempfile
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from accounts.availability import WindowSpec
from accounts.models import User
from accounts.services import working_hours_replace
from rota.rotas.models import Membership, Rota, RotaKind


def pytest_configure(config: pytest.Config) -> None:
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns otherwise
    # Static files are served from the source folders in tests; production uses the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if not os.environ.get("REDIS_URL"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not os.environ.get("REDIS_URL"):
        # The embedded broker's folders: a private temporary set, never a running `make run`'s.
        from rota.celery import app, ensure_broker_folders

        folder = Path(tempfile.mkdtemp(prefix="rota-test-broker-"))
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "control_folder": str(folder / "control"),
        }
        ensure_broker_folders()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROTA_REPLAN_DEBOUNCE_SECONDS = 0


def pytest_sessionstart(session: pytest.Session) -> None:
    """With REDIS_URL set, Redis must answer: an unreachable service fails the run."""
    url = os.environ.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except redis.exceptions.RedisError as exc:
            pytest.exit(f"REDIS_URL is set but Redis does not answer: {exc}", returncode=3)


@pytest.fixture(autouse=True)
def _clear_cache(settings: Any) -> None:
    from django.core.cache import cache

    from rota.read_cache import read_cache_clear

    # Tests change data and read it back at once; rota.read_cache has tests of its own.
    settings.ROTA_READ_CACHE_SECONDS = 0
    read_cache_clear()

    from rota.rotas.outbox import broker_pause_reset

    cache.clear()
    broker_pause_reset()  # a broker failure another test simulated is not this test's


def make_user(username: str, **fields: object) -> User:
    defaults: dict[str, object] = {
        "email": f"{username}@example.org",
        "display_name": username.title(),
        "time_zone": "Europe/Berlin",
        "country": "DE",
        "organisation": "independent",
    }
    defaults.update(fields)
    user = User.objects.create_user(username=username, password="correct horse 42", **defaults)
    working_hours_replace(user, [WindowSpec(d, time(9), time(17)) for d in range(5)])
    return user


@pytest.fixture
def volunteer(db: None) -> User:
    return make_user("vera", time_zone="Asia/Kolkata", country="IN", organisation="Intel")


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("otto", time_zone="America/New_York", country="US")


@pytest.fixture
def review_rota(db: None) -> Rota:
    return Rota.objects.create(
        name="PR review", slug="pr-review", kind=RotaKind.REVIEW, seats=2, handoff_zone="UTC"
    )


@pytest.fixture
def release_manager(db: None, review_rota: Rota) -> User:
    manager = make_user("rhea", time_zone="Europe/Berlin")
    review_rota.managers.add(manager)
    return manager


@pytest.fixture
def member(volunteer: User, review_rota: Rota) -> Membership:
    return Membership.objects.create(user=volunteer, rota=review_rota, roles=["reviewer"])


@pytest.fixture
def tasks_run_in_process(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Run every task the outbox sends right here, as a worker would, instead of through the
    broker; returns the names of the tasks run, in order."""
    from rota.celery import app
    from rota.rotas import outbox

    ran: list[str] = []
    app.loader.import_default_modules()  # what a worker does at start: find every task

    def send(task: str, args: list[object], countdown: float = 0) -> None:
        ran.append(task)
        app.tasks[task].apply(args=args, throw=True)

    monkeypatch.setattr(outbox, "broker_send", send)
    return ran


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[object], float]]:
    """Record what the outbox sends to the broker instead of sending it."""
    from rota.rotas import outbox

    sent: list[tuple[str, list[object], float]] = []
    monkeypatch.setattr(
        outbox, "broker_send", lambda task, args, countdown=0: sent.append((task, args, countdown))
    )
    return sent
