"""After a plan, a worker renders the rota's feeds, so polls stay cache reads; a broker that is
down costs the warm-up only, never the plan."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from rota.feeds import selectors
from rota.feeds.selectors import feed_documents_forget
from rota.feeds.tasks import rota_feeds_warm_task
from rota.rotas.models import Membership, PlanRun, Rota
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.feeds.conftest import NOW, feed_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(clock, member, volunteer: User, review_rota: Rota) -> list[User]:
    review_rota.horizon_weeks = 4
    review_rota.save()
    otto = make_user("otto", time_zone="America/New_York", organisation="Acme")
    Membership.objects.create(user=otto, rota=review_rota, roles=["reviewer"])
    return [volunteer, otto]


@pytest.fixture
def sent(monkeypatch) -> list[tuple]:
    """The warm-ups sent to the broker, run at once in this process as a worker would."""
    from rota.rotas import outbox

    calls: list[tuple] = []

    def send(task, args, countdown=0):
        calls.append((tuple(args), {"task": task}))
        return rota_feeds_warm_task.apply(args)

    monkeypatch.setattr(outbox, "broker_send", send)
    return calls


def feed_urls(volunteer: User, rota: Rota) -> list[str]:
    _, personal = feed_link(volunteer)
    _, members = feed_link(volunteer, rota)
    return [
        reverse("feeds:personal", kwargs={"token": personal}),
        reverse("feeds:rota", kwargs={"slug": rota.slug, "token": members}),
        reverse("feeds:public", kwargs={"slug": rota.slug}),
    ]


def test_after_a_plan_commits_every_feed_of_the_rota_is_a_cache_read(
    client: Client,
    team,
    volunteer: User,
    review_rota: Rota,
    sent,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    urls = feed_urls(volunteer, review_rota)
    with django_capture_on_commit_callbacks(execute=True):
        rota_plan(review_rota.pk, now=NOW)
    warmed = [args for args, options in sent if options["task"] == rota_feeds_warm_task.name]
    assert warmed == [(review_rota.pk,)]

    def no_render(*args, **kwargs):
        raise AssertionError("a poll rendered a feed the worker should have rendered")

    monkeypatch.setattr(selectors, "personal_feed_render", no_render)
    monkeypatch.setattr(selectors, "rota_feed_render", no_render)
    feed_documents_forget()  # only the shared cache, as in another web process
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert b"BEGIN:VEVENT" in response.content


def test_the_warm_up_renders_nothing_the_second_time(team, review_rota: Rota, volunteer) -> None:
    feed_urls(volunteer, review_rota)
    rota_plan(review_rota.pk, now=NOW)
    first = rota_feeds_warm_task.apply((review_rota.pk,)).get()
    second = rota_feeds_warm_task.apply((review_rota.pk,)).get()
    assert first == f"rota {review_rota.pk}: 3 feeds rendered, 0 already cached"
    assert second == f"rota {review_rota.pk}: 0 feeds rendered, 3 already cached"


def test_the_warm_up_of_a_rota_that_is_gone_does_nothing() -> None:
    assert (
        rota_feeds_warm_task.apply((404,)).get() == "rota 404: 0 feeds rendered, 0 already cached"
    )


def test_a_failed_plan_warms_nothing(team, review_rota: Rota, sent, monkeypatch) -> None:
    from rota.rotas import planning

    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(planning.engine, "plan", broken)
    with pytest.raises(RuntimeError):
        rota_plan(review_rota.pk, now=NOW)
    assert PlanRun.objects.filter(rota=review_rota).exists()
    assert [c for c in sent if c[1]["task"] == rota_feeds_warm_task.name] == []


def test_a_broker_outage_never_fails_the_plan(
    client: Client,
    team,
    volunteer: User,
    review_rota: Rota,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
) -> None:
    from rota.celery import app
    from rota.rotas import outbox

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to redis:6379. Connection refused.")

    # The real sender, with a broker that refuses: it fails fast and says so.
    monkeypatch.setattr(app, "send_task", broker_down)
    outbox.broker_pause_reset()
    urls = feed_urls(volunteer, review_rota)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        outcome = rota_plan(review_rota.pk, now=NOW)
    assert outcome.run is not None and outcome.changes
    assert "not warmed" in caplog.text
    cache.clear()
    for url in urls:  # the polls render on the cache miss
        assert client.get(url).status_code == 200
