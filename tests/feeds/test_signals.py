"""Feeds follow what they show, not only the plan: a renamed person or rota, a new zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import user_profile_update
from rota.rotas.models import Release, Rota, RotaKind
from tests.conftest import make_user
from tests.feeds.conftest import NOW, duty_create, feed_link

pytestmark = pytest.mark.django_db

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=NOW.tzinfo)


def unfolded(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().replace("\r\n ", "")


@pytest.fixture
def otto(clock, member, review_rota: Rota, volunteer: User) -> User:
    """Vera's co-worker on Monday's shift."""
    otto = make_user("otto", display_name="Otto", time_zone="Europe/Berlin")
    duty_create(review_rota, volunteer, MONDAY)
    duty_create(review_rota, otto, MONDAY)
    return otto


@pytest.fixture
def feed_urls(otto, volunteer: User, review_rota: Rota) -> dict[str, str]:
    _, personal = feed_link(volunteer)
    _, rota = feed_link(volunteer, review_rota)
    return {
        "personal": reverse("feeds:personal", kwargs={"token": personal}),
        "rota": reverse("feeds:rota", kwargs={"slug": review_rota.slug, "token": rota}),
        "public": reverse("feeds:public", kwargs={"slug": review_rota.slug}),
    }


def feeds_before_and_after(
    client: Client, urls: dict[str, str], change: Callable[[], None]
) -> dict[str, tuple[str, str]]:
    before = {name: unfolded(client, url) for name, url in urls.items()}
    change()
    return {name: (before[name], unfolded(client, url)) for name, url in urls.items()}


def test_renaming_a_person_changes_every_feed_that_names_them(
    client: Client, feed_urls, otto: User
) -> None:
    feeds = feeds_before_and_after(
        client, feed_urls, lambda: user_profile_update(otto, display_name="Ottilie")
    )
    for name, (before, after) in feeds.items():
        assert "Otto" in before and "Ottilie" not in before, name
        assert "Ottilie" in after, name


def test_renaming_the_reader_changes_their_personal_feed(
    client: Client, feed_urls, volunteer: User
) -> None:
    feeds = feeds_before_and_after(
        client, feed_urls, lambda: user_profile_update(volunteer, display_name="Veronika")
    )
    before, after = feeds["personal"]
    assert "Duties of Veronika" not in before
    assert "Duties of Veronika" in after


def test_a_co_workers_new_zone_shows_in_the_private_feeds(
    client: Client, feed_urls, otto: User
) -> None:
    feeds = feeds_before_and_after(
        client, feed_urls, lambda: user_profile_update(otto, time_zone="America/New_York")
    )
    for name in ("personal", "rota"):
        before, after = feeds[name]
        assert "America/New_York" not in before and "America/New_York" in after, name


def test_the_readers_new_zone_shows_in_their_personal_feed(
    client: Client, feed_urls, volunteer: User
) -> None:
    feeds = feeds_before_and_after(
        client, feed_urls, lambda: user_profile_update(volunteer, time_zone="America/Chicago")
    )
    before, after = feeds["personal"]
    assert "America/Chicago" not in before and "America/Chicago" in after


def test_renaming_a_rota_changes_every_feed_of_it(
    client: Client, feed_urls, review_rota: Rota
) -> None:
    def rename() -> None:
        review_rota.name = "Code review"
        review_rota.save()

    feeds = feeds_before_and_after(client, feed_urls, rename)
    for name, (before, after) in feeds.items():
        assert "Code review" not in before and "Code review" in after, name


def test_a_new_rota_description_changes_its_feeds(
    client: Client, feed_urls, review_rota: Rota
) -> None:
    def describe() -> None:
        review_rota.description = "Reviews for the compiler team"
        review_rota.save()

    feeds = feeds_before_and_after(client, feed_urls, describe)
    for name in ("rota", "public"):
        before, after = feeds[name]
        assert "compiler team" not in before and "compiler team" in after, name


def test_a_release_renamed_in_the_admin_changes_the_feeds(
    client: Client, clock, volunteer: User
) -> None:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    release = Release.objects.create(rota=rota, version="7.3", date=MONDAY.date())
    duty_create(rota, volunteer, MONDAY, role="lead", release=release)
    _, plain = feed_link(volunteer)
    url = reverse("feeds:personal", kwargs={"token": plain})
    assert "Releases 7.3" in unfolded(client, url)
    release.version = "7.4"
    release.save()
    assert "Releases 7.4" in unfolded(client, url)


def test_an_assignment_edited_in_the_admin_changes_the_feeds(
    client: Client, feed_urls, otto: User, review_rota: Rota
) -> None:
    before = unfolded(client, feed_urls["rota"])
    duty = otto.assignments.get()
    duty.explanation = "Covering for the conference week"
    duty.role = "lead"
    duty.save()
    after = unfolded(client, feed_urls["rota"])
    assert before != after


def test_a_login_does_not_change_the_plan_version(volunteer: User, review_rota: Rota) -> None:
    duty_create(review_rota, volunteer, MONDAY)
    version = Rota.objects.get(pk=review_rota.pk).plan_version
    volunteer.last_login = NOW
    volunteer.save(update_fields=["last_login"])
    volunteer.save()  # nothing shown changed
    assert Rota.objects.get(pk=review_rota.pk).plan_version == version
