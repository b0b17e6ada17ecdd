"""The feed endpoints over HTTP: tokens, access, caching headers, HEAD and the query budget."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from accounts.models import User
from rota.feeds.models import FeedToken
from rota.feeds.selectors import feed_token_digest
from rota.feeds.services import feed_token_revoke
from rota.rotas.models import Membership, Rota
from rota.rotas.services import rota_plan_version_bump
from tests.conftest import make_user
from tests.feeds.conftest import NOW, duty_create, feed_link

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=NOW.tzinfo)


def personal_url(plain: str) -> str:
    return reverse("feeds:personal", kwargs={"token": plain})


def rota_url(rota: Rota, plain: str) -> str:
    return reverse("feeds:rota", kwargs={"slug": rota.slug, "token": plain})


def public_url(rota: Rota) -> str:
    return reverse("feeds:public", kwargs={"slug": rota.slug})


@pytest.fixture
def vera_duty(clock, member, review_rota, volunteer):
    return duty_create(review_rota, volunteer, MONDAY)


def test_personal_feed_is_served_as_utf8_calendar(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    response = client.get(personal_url(plain))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f"UID:assignment-{vera_duty.pk}@localhost".encode() in response.content
    assert b"METHOD" not in response.content
    assert response["Cache-Control"].startswith("private")


def test_unknown_token_gets_404(client: Client, vera_duty) -> None:
    assert client.get(personal_url("x" * 43)).status_code == 404


def test_revoked_token_gets_404(client: Client, vera_duty, volunteer) -> None:
    token, plain = feed_link(volunteer)
    assert client.get(personal_url(plain)).status_code == 200
    assert feed_token_revoke(volunteer, token.pk, NOW)
    assert client.get(personal_url(plain)).status_code == 404


def test_links_of_a_deactivated_person_get_404(
    client: Client, vera_duty, volunteer, review_rota
) -> None:
    _, personal = feed_link(volunteer)
    _, rota = feed_link(volunteer, review_rota)
    assert client.get(personal_url(personal)).status_code == 200
    volunteer.is_active = False
    volunteer.save()
    assert client.get(personal_url(personal)).status_code == 404
    assert client.get(rota_url(review_rota, rota)).status_code == 404


def test_recreating_a_link_revokes_the_previous_one(client: Client, vera_duty, volunteer) -> None:
    _, old = feed_link(volunteer)
    _, new = feed_link(volunteer)
    assert client.get(personal_url(old)).status_code == 404
    assert client.get(personal_url(new)).status_code == 200


def test_token_is_stored_only_as_its_sha256(volunteer: User) -> None:
    token, plain = feed_link(volunteer)
    assert len(plain) >= 43  # 32 random bytes, 256 bits
    stored = FeedToken.objects.values().get(pk=token.pk)
    assert stored["token_hash"] == feed_token_digest(plain)
    assert all(plain not in str(value) for value in stored.values())


def test_a_personal_token_does_not_open_a_rota_feed(
    client: Client, vera_duty, volunteer, review_rota
) -> None:
    _, plain = feed_link(volunteer)
    assert client.get(rota_url(review_rota, plain)).status_code == 404


def test_private_rota_feed_is_not_reachable_without_a_token(
    client: Client, vera_duty, review_rota
) -> None:
    review_rota.is_public = False
    review_rota.save()
    assert client.get(public_url(review_rota)).status_code == 404


def test_rota_feed_works_for_members_and_stops_when_they_leave(
    client: Client, vera_duty, member, volunteer, review_rota
) -> None:
    _, plain = feed_link(volunteer, review_rota)
    assert client.get(rota_url(review_rota, plain)).status_code == 200
    member.delete()
    assert client.get(rota_url(review_rota, plain)).status_code == 404


def test_rota_feed_link_is_refused_to_an_outsider(outsider: User, review_rota: Rota) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        feed_link(outsider, review_rota)


def test_rota_feed_of_one_rota_does_not_answer_under_another_slug(
    client: Client, vera_duty, volunteer, review_rota
) -> None:
    _, plain = feed_link(volunteer, review_rota)
    other = Rota.objects.create(name="Docs", slug="docs")
    Membership.objects.create(user=volunteer, rota=other, roles=["reviewer"])
    assert client.get(rota_url(other, plain)).status_code == 404


def test_public_feed_shows_display_names_only(client: Client, clock, review_rota) -> None:
    named = make_user(
        "wang.xiaoming",
        display_name="王小明",
        first_name="Xiaoming",
        last_name="Wangsurname",
        email="wang@corp.example",
    )
    nameless = make_user(
        "priya_k",
        display_name="",
        first_name="Priya",
        last_name="Krishnamurthy",
        email="priya@corp.example",
    )
    duty_create(review_rota, named, MONDAY)
    duty_create(review_rota, nameless, MONDAY)
    response = client.get(public_url(review_rota))
    assert response.status_code == 200
    text = response.content.decode()
    unfolded = text.replace("\r\n ", "")
    assert "王小明" in unfolded
    assert "A volunteer" in unfolded
    secrets = ("wang.xiaoming", "priya_k", "Xiaoming", "Wangsurname", "Priya", "Krishnamurthy")
    for secret in (*secrets, "@corp.example", "Europe/Berlin"):
        assert secret not in unfolded
    assert response["Cache-Control"].startswith("public")


def test_if_none_match_gets_304(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    first = client.get(personal_url(plain))
    second = client.get(personal_url(plain), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]


def test_if_modified_since_gets_304(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    first = client.get(personal_url(plain))
    second = client.get(personal_url(plain), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert second.status_code == 304


def test_an_older_if_modified_since_gets_the_feed(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    old = http_date((NOW - timedelta(days=1)).timestamp())
    assert client.get(personal_url(plain), HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_a_plan_change_changes_the_etag(client: Client, vera_duty, volunteer, review_rota) -> None:
    _, plain = feed_link(volunteer)
    first = client.get(personal_url(plain))
    duty_create(review_rota, make_user("otto2"), MONDAY)  # a new co-worker on Vera's shift
    rota_plan_version_bump(review_rota.pk)
    second = client.get(personal_url(plain), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Otto2" in second.content.decode().replace("\r\n ", "")


def test_head_sends_headers_without_a_body(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    get = client.get(personal_url(plain))
    head = client.head(personal_url(plain))
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


def test_post_to_a_feed_is_not_allowed(client: Client, vera_duty, volunteer) -> None:
    _, plain = feed_link(volunteer)
    assert client.post(personal_url(plain)).status_code == 405


def test_polling_a_cached_personal_feed_costs_one_query(
    client: Client, vera_duty, volunteer, django_assert_max_num_queries
) -> None:
    _, plain = feed_link(volunteer)
    first = client.get(personal_url(plain))  # renders and records the fetch
    with django_assert_max_num_queries(1):
        assert client.get(personal_url(plain)).status_code == 200
    with django_assert_max_num_queries(1):
        response = client.get(personal_url(plain), HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 304


def test_polling_a_cached_rota_feed_costs_one_query(
    client: Client, vera_duty, volunteer, review_rota, django_assert_max_num_queries
) -> None:
    _, plain = feed_link(volunteer, review_rota)
    client.get(rota_url(review_rota, plain))
    client.get(public_url(review_rota))
    with django_assert_max_num_queries(1):
        assert client.get(rota_url(review_rota, plain)).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(public_url(review_rota)).status_code == 200


def test_last_fetch_is_recorded_at_most_once_per_five_minutes(
    client: Client, vera_duty, volunteer, clock
) -> None:
    token, plain = feed_link(volunteer)
    client.get(personal_url(plain))
    token.refresh_from_db()
    assert token.last_fetched_at == NOW
    clock.shift(timedelta(minutes=4))
    client.get(personal_url(plain))
    token.refresh_from_db()
    assert token.last_fetched_at == NOW
    clock.shift(timedelta(minutes=2))
    client.get(personal_url(plain))
    token.refresh_from_db()
    assert token.last_fetched_at == NOW + timedelta(minutes=6)


def test_a_create_that_hits_the_one_active_link_constraint_retries_once(
    client: Client, vera_duty, volunteer, monkeypatch
) -> None:
    """A racer's link appears between the revoke and the insert: the constraint refuses the
    insert, and the create tries once more instead of answering 500. (Without threads the
    racer's row is rolled back with the failed attempt; the retry path is what is tested.)"""
    real_create = FeedToken.objects.create
    calls: list[str] = []

    def create_after_a_racer(**fields):
        calls.append(fields["token_hash"])
        if len(calls) == 1:
            real_create(**{**fields, "token_hash": feed_token_digest("x" * 43), "hint": "xxxx"})
        return real_create(**fields)

    monkeypatch.setattr(FeedToken.objects, "create", create_after_a_racer)
    token, plain = feed_link(volunteer)
    monkeypatch.undo()
    assert len(calls) == 2  # the refused insert and the retry
    assert FeedToken.objects.filter(user=volunteer, revoked_at__isnull=True).get() == token
    assert client.get(personal_url(plain)).status_code == 200
