"""The feeds:manage page: create (shown once), revoke, reminder setting, instructions."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from rota.feeds.models import FeedKind, FeedPreference, FeedToken
from rota.rotas.models import Rota
from tests.feeds.conftest import feed_link

pytestmark = pytest.mark.django_db

MANAGE = "/feeds/"


def logged_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post(client: Client, data: dict[str, object]):
    page = client.get(MANAGE)
    token = page.cookies["csrftoken"].value
    return client.post(MANAGE, {**data, "csrfmiddlewaretoken": token})


def test_manage_page_has_the_name_contributor_pages_link_to() -> None:
    assert reverse("feeds:manage") == MANAGE


def test_manage_page_requires_login(client: Client) -> None:
    response = client.get(MANAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_manage_page_explains_google_and_outlook(volunteer: User) -> None:
    text = logged_in(volunteer).get(MANAGE).content.decode()
    assert "Other calendars" in text and "From URL" in text
    assert "once a day" in text
    assert "Add calendar → Subscribe from web" in text


def test_creating_a_link_shows_https_and_webcal_urls_once(member, volunteer: User) -> None:
    client = logged_in(volunteer)
    response = post(client, {"action": "create", "kind": "personal"})
    assert response.status_code == 303
    assert response["Location"] == MANAGE
    assert "/feeds/me/" not in response.content.decode()
    text = client.get(MANAGE).content.decode()
    https = re.search(r"http://localhost:8000/feeds/me/([A-Za-z0-9_-]{43})\.ics", text)
    assert https is not None
    plain = https.group(1)
    assert f"webcal://localhost:8000/feeds/me/{plain}.ics" in text
    assert plain not in client.get(MANAGE).content.decode()  # a refresh: never shown again
    assert Client().get(f"/feeds/me/{plain}.ics").status_code == 200  # nor revoked


def test_manage_page_is_never_cached(volunteer: User) -> None:
    response = logged_in(volunteer).get(MANAGE)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_post_without_csrf_token_is_refused(volunteer: User) -> None:
    client = logged_in(volunteer)
    response = client.post(MANAGE, {"action": "create", "kind": "personal"})
    assert response.status_code == 403
    assert not FeedToken.objects.exists()


def test_member_can_create_a_rota_link(member, volunteer: User, review_rota: Rota) -> None:
    client = logged_in(volunteer)
    response = post(client, {"action": "create", "kind": "rota", "rota": review_rota.pk})
    assert response.status_code == 303
    text = client.get(MANAGE).content.decode()
    assert f"/feeds/rota/{review_rota.slug}/" in text
    assert FeedToken.objects.get().rota == review_rota


def test_outsider_cannot_create_a_rota_link(outsider: User, review_rota: Rota) -> None:
    response = post(
        logged_in(outsider), {"action": "create", "kind": "rota", "rota": review_rota.pk}
    )
    assert response.status_code == 400
    assert not FeedToken.objects.exists()


def test_revoking_from_the_page_stops_the_link(volunteer: User) -> None:
    token, plain = feed_link(volunteer)
    client = logged_in(volunteer)
    response = post(client, {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(f"/feeds/me/{plain}.ics").status_code == 404


def test_nobody_can_revoke_another_persons_link(volunteer: User, outsider: User) -> None:
    token, _ = feed_link(volunteer)
    post(logged_in(outsider), {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_page_lists_links_with_last_fetch(volunteer: User) -> None:
    token, plain = feed_link(volunteer)
    client = logged_in(volunteer)
    assert "never" in client.get(MANAGE).content.decode()
    Client().get(f"/feeds/me/{plain}.ics")
    text = client.get(MANAGE).content.decode()
    assert f"…{token.hint}" in text
    assert "never" not in text


def test_reminder_setting_adds_alarms_to_the_personal_feed(
    clock, member, volunteer: User, review_rota: Rota
) -> None:
    from tests.feeds.conftest import duty_create
    from tests.feeds.test_views import MONDAY

    duty_create(review_rota, volunteer, MONDAY)
    _, plain = feed_link(volunteer)
    assert b"VALARM" not in Client().get(f"/feeds/me/{plain}.ics").content
    response = post(logged_in(volunteer), {"action": "preference", "reminder_minutes": 60})
    assert response.status_code == 302
    assert FeedPreference.objects.get(user=volunteer).reminder_minutes == 60
    body = Client().get(f"/feeds/me/{plain}.ics").content
    assert b"TRIGGER:-PT1H" in body


def test_personal_kind_ignores_a_rota(volunteer: User, review_rota: Rota) -> None:
    post(logged_in(volunteer), {"action": "create", "kind": "personal", "rota": ""})
    assert FeedToken.objects.get().kind == FeedKind.PERSONAL


def test_replacing_a_link_in_use_asks_first(volunteer: User) -> None:
    old, plain = feed_link(volunteer)
    client = logged_in(volunteer)
    asked = post(client, {"action": "create", "kind": "personal"})
    assert asked.status_code == 200
    text = asked.content.decode()
    assert "your calendar app will stop updating" in text
    assert f"…{old.hint}" in text
    assert FeedToken.objects.filter(user=volunteer).count() == 1  # nothing happened yet
    assert Client().get(f"/feeds/me/{plain}.ics").status_code == 200

    confirmed = post(client, {"action": "create", "kind": "personal", "confirm": "replace"})
    assert confirmed.status_code == 303
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert Client().get(f"/feeds/me/{plain}.ics").status_code == 404


def test_replacing_one_rotas_link_asks_only_about_that_rota(
    member, volunteer: User, review_rota: Rota
) -> None:
    feed_link(volunteer)  # a personal link: another feed, nothing to replace
    response = post(
        logged_in(volunteer), {"action": "create", "kind": "rota", "rota": review_rota.pk}
    )
    assert response.status_code == 303


def test_the_buttons_say_which_feeds_already_have_a_link(
    member, volunteer: User, review_rota: Rota
) -> None:
    feed_link(volunteer)
    text = logged_in(volunteer).get(MANAGE).content.decode()
    assert "Replace my link to my duties" in text
    assert f"Create a link to everyone's duties in {review_rota.name}" in text


def test_a_new_link_comes_with_copy_buttons(volunteer: User) -> None:
    client = logged_in(volunteer)
    post(client, {"action": "create", "kind": "personal"})
    text = client.get(MANAGE).content.decode()
    assert text.count("data-copy=") == 2  # the https and the webcal address
    assert "feeds/feeds.js" in text


def test_the_navigation_leads_to_the_feeds_page(volunteer: User) -> None:
    text = logged_in(volunteer).get(reverse("duties")).content.decode()
    navigation = text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert f'href="{MANAGE}"' in navigation


def test_a_public_rota_page_links_its_public_feed(client: Client, review_rota: Rota) -> None:
    feed = reverse("feeds:public", kwargs={"slug": review_rota.slug})
    text = client.get(reverse("rota_detail", args=[review_rota.slug])).content.decode()
    assert f'href="{feed}"' in text
    assert f'href="webcal://testserver{feed}"' in text


def test_a_private_rota_page_shows_no_public_feed(
    member, volunteer: User, review_rota: Rota
) -> None:
    review_rota.is_public = False
    review_rota.save()
    feed = reverse("feeds:public", kwargs={"slug": review_rota.slug})
    response = logged_in(volunteer).get(reverse("rota_detail", args=[review_rota.slug]))
    assert response.status_code == 200
    assert feed not in response.content.decode()
