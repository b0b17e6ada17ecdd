"""Last-Modified follows the data a feed shows, not the clock of its render."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from accounts.models import User
from rota.rotas.models import Assignment, Rota
from tests.feeds.conftest import NOW, duty_create, feed_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def vera_url(clock, member, review_rota: Rota, volunteer: User) -> str:
    duty_create(review_rota, volunteer, NOW + timedelta(days=2))
    _, plain = feed_link(volunteer)
    return reverse("feeds:personal", kwargs={"token": plain})


def test_last_modified_is_the_latest_change_of_the_duties_shown(
    client: Client, vera_url: str, clock
) -> None:
    clock.shift(timedelta(hours=3))  # rendered well after the duty was written
    response = client.get(vera_url)
    assert response["Last-Modified"] == http_date(NOW.timestamp())


def test_last_modified_is_the_same_after_the_cache_is_lost(
    client: Client, vera_url: str, clock
) -> None:
    from django.core.cache import cache

    from rota.feeds.selectors import feed_documents_forget

    first = client.get(vera_url)
    cache.clear()
    feed_documents_forget()
    clock.shift(timedelta(minutes=30))
    second = client.get(vera_url)
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["ETag"] == first["ETag"]


def test_a_change_within_the_same_second_is_not_answered_304(
    client: Client, vera_url: str, clock, review_rota: Rota, volunteer: User
) -> None:
    first = client.get(vera_url)
    clock.shift(timedelta(milliseconds=400))
    duty = Assignment.objects.get(person=volunteer)
    duty.explanation = "Covering the conference week"
    duty.save()  # saved one by one (the admin): the signal raises the plan version
    assert timezone.now().replace(microsecond=0) == NOW  # still the same second
    second = client.get(vera_url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 200
    assert b"conference week" in second.content.replace(b"\r\n ", b"")
