"""No feed answers with what it showed before a change: every write that changes a document
changes its cache key (plan_version) in the same transaction.

The plans come from the real planner (rota_plan); feeds are fetched over HTTP, as calendar
apps fetch them.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from rota.rotas.models import Assignment, Membership, Release, Rota, RotaKind
from rota.rotas.planning import rota_plan
from rota.rotas.services import rota_plan_version_bump
from tests.conftest import make_user
from tests.feeds.conftest import NOW, feed_link
from tests.feeds.readers import events_by_ical

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(clock, member, volunteer: User, review_rota: Rota) -> Rota:
    review_rota.horizon_weeks = 6
    review_rota.freeze_weeks = 2
    review_rota.save()
    for name, zone in (("otto", "America/New_York"), ("lena", "Europe/Berlin")):
        person = make_user(name, time_zone=zone, organisation=name)
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    rota_plan(review_rota.pk, now=NOW)
    return review_rota


def public_url(rota: Rota) -> str:
    return reverse("feeds:public", kwargs={"slug": rota.slug})


def starts(body: bytes) -> set[tuple[int, int]]:
    """(hour, minute) in UTC of every confirmed event."""
    return {
        (e.start.hour, e.start.minute)
        for e in events_by_ical(body).values()
        if e.status == "CONFIRMED"
    }


def test_a_new_handoff_time_moves_every_event_of_the_rota_feed(
    client: Client, planned: Rota
) -> None:
    first = client.get(public_url(planned))
    assert starts(first.content) == {(9, 0)}

    planned.handoff_time = time(10)
    planned.save()
    outcome = rota_plan(planned.pk, now=NOW)
    assert outcome.changes == []  # the same people keep their seats: only the times move

    second = client.get(public_url(planned), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert starts(second.content) == {(10, 0)}
    moved = events_by_ical(second.content)
    before = events_by_ical(first.content)
    assert all(moved[uid].sequence == before[uid].sequence + 1 for uid in before)


def test_a_new_handoff_time_moves_the_events_of_the_personal_feed(
    client: Client, planned: Rota, volunteer: User
) -> None:
    _, plain = feed_link(volunteer)
    url = reverse("feeds:personal", kwargs={"token": plain})
    assert starts(client.get(url).content) == {(9, 0)}
    planned.handoff_time = time(10)
    planned.save()
    rota_plan(planned.pk, now=NOW)
    assert starts(client.get(url).content) == {(10, 0)}


def test_a_moved_release_date_moves_its_event_even_after_a_poll_between_save_and_replan(
    client: Client, clock, volunteer: User
) -> None:
    rota = Rota.objects.create(
        name="Releases", slug="releases", kind=RotaKind.RELEASE, horizon_weeks=12, freeze_weeks=0
    )
    lena = make_user("lena", time_zone="Europe/Berlin", organisation="Lena's")
    for person in (volunteer, lena):
        Membership.objects.create(user=person, rota=rota, roles=["lead", "shadow"])
    release = Release.objects.create(rota=rota, version="5.2", date=date(2025, 4, 16))
    rota_plan(rota.pk, now=NOW)
    first = client.get(public_url(rota))
    old_days = {e.end.date() for e in events_by_ical(first.content).values()}

    release.date = date(2025, 4, 30)
    release.save()  # the re-plan that follows a save runs a moment later...
    client.get(public_url(rota))  # ...and a calendar app polls in between
    outcome = rota_plan(rota.pk, now=NOW)
    assert outcome.changes == []

    after = client.get(public_url(rota), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    new_days = {e.end.date() for e in events_by_ical(after.content).values()}
    assert new_days != old_days
    assert all(day - timedelta(days=14) in old_days for day in new_days)


def test_a_replan_that_only_rewrites_explanations_shows_the_new_text(
    client: Client, planned: Rota, volunteer: User
) -> None:
    # As if an older plan had written another reason: the next plan writes the engine's text.
    Assignment.objects.filter(person=volunteer).update(explanation="An older reason")
    rota_plan_version_bump(planned.pk)
    _, plain = feed_link(volunteer)
    url = reverse("feeds:personal", kwargs={"token": plain})
    first = client.get(url)
    assert "An older reason" in first.content.decode().replace("\r\n ", "")

    outcome = rota_plan(planned.pk, now=NOW)
    assert outcome.changes == []
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    assert "An older reason" not in second.content.decode().replace("\r\n ", "")


def test_a_replan_that_changes_nothing_keeps_the_plan_version(planned: Rota) -> None:
    rota_plan(planned.pk, now=NOW)  # the second plan explains seats as "kept", a new text
    version = Rota.objects.get(pk=planned.pk).plan_version
    rota_plan(planned.pk, now=NOW)
    assert Rota.objects.get(pk=planned.pk).plan_version == version
