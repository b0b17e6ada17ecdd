"""Feeds answer when the cache (Redis in production) is down: rendered from the database."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from rota.rotas.models import Rota
from tests.feeds.conftest import NOW, duty_create, feed_link

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with a connection error.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def urls(clock, member, review_rota: Rota, volunteer: User) -> dict[str, str]:
    duty_create(review_rota, volunteer, NOW)
    _, personal = feed_link(volunteer)
    _, rota = feed_link(volunteer, review_rota)
    return {
        "personal": reverse("feeds:personal", kwargs={"token": personal}),
        "rota": reverse("feeds:rota", kwargs={"slug": review_rota.slug, "token": rota}),
        "public": reverse("feeds:public", kwargs={"slug": review_rota.slug}),
    }


@pytest.mark.parametrize("feed", ["personal", "rota", "public"])
def test_a_feed_renders_when_the_cache_is_down(
    client: Client, urls: dict[str, str], feed: str, caplog
) -> None:
    with override_settings(CACHES=REDIS_DOWN):
        from django.core.cache import cache

        with pytest.raises(Exception, match=r"(?i)connect"):
            cache.get("anything")  # the cache really is unreachable
        response = client.get(urls[feed])
        assert response.status_code == 200
        assert b"BEGIN:VEVENT" in response.content
        again = client.get(urls[feed], HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
    assert "feed cache unavailable" in caplog.text


def test_a_feed_rendered_without_the_cache_is_the_one_rendered_with_it(
    client: Client, urls: dict[str, str]
) -> None:
    from rota.feeds.selectors import feed_documents_forget

    with override_settings(CACHES=REDIS_DOWN):
        down = client.get(urls["personal"])
    feed_documents_forget()
    up = client.get(urls["personal"])
    assert (down["ETag"], down.content) == (up["ETag"], up.content)
