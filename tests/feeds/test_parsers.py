"""Feeds as independent parsers read them: vobject, ical (allenporter) and ical.js.

The plans here come from the real planner, so the whole chain is checked: a 09:00 handoff in
the rota's zone, planned by rota_plan, written as UTC, read back by three parsers and shown
at 09:00 local time on both sides of each daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from rota.rotas.models import Membership, Rota, RotaKind
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.feeds.conftest import NOW, feed_link
from tests.feeds.readers import (
    events_by_ical,
    events_by_icalendar,
    events_by_icaljs,
    events_by_vobject,
)

pytestmark = pytest.mark.django_db


def planned_rota_feed(client: Client, slug: str, zone: str) -> bytes:
    rota = Rota.objects.create(
        name=f"Review {zone}",
        slug=slug,
        kind=RotaKind.REVIEW,
        seats=2,
        handoff_zone=zone,
        handoff_time=time(9),
        horizon_weeks=40,
    )
    people = [
        make_user("王小明", display_name="王小明", time_zone="Asia/Shanghai", organisation="A"),
        make_user("vijay", display_name="विजय कुमार", time_zone="Asia/Kolkata", organisation="B"),
        make_user("ana", display_name="Ana 🦊", time_zone="America/Sao_Paulo", organisation="C"),
        make_user("lena", display_name="Lena", time_zone="Europe/Berlin", organisation="D"),
    ]
    for person in people:
        Membership.objects.create(user=person, rota=rota, roles=["reviewer"])
    rota_plan(rota.pk, now=NOW)
    _, plain = feed_link(people[0], rota)
    response = client.get(reverse("feeds:rota", kwargs={"slug": slug, "token": plain}))
    assert response.status_code == 200
    return response.content


@pytest.fixture
def berlin_feed(client: Client, clock) -> bytes:
    return planned_rota_feed(client, "berlin", "Europe/Berlin")


@pytest.fixture
def sydney_feed(client: Client, clock) -> bytes:
    return planned_rota_feed(client, "sydney", "Australia/Sydney")


def assert_parsers_agree(body: bytes) -> dict:
    by_vobject = events_by_vobject(body)
    by_ical = events_by_ical(body)
    by_icaljs = events_by_icaljs(body)
    by_icalendar = events_by_icalendar(body)
    assert by_vobject, "the feed has events"
    assert set(by_vobject) == set(by_ical) == set(by_icaljs) == set(by_icalendar)
    for uid, event in by_vobject.items():
        assert event == by_icalendar[uid], uid
        assert (event.start, event.end) == (by_ical[uid].start, by_ical[uid].end), uid
        assert (event.start, event.end) == (by_icaljs[uid].start, by_icaljs[uid].end), uid
        assert event.summary == by_ical[uid].summary == by_icaljs[uid].summary
        assert event.description == by_ical[uid].description == by_icaljs[uid].description
        assert event.sequence == by_ical[uid].sequence == by_icaljs[uid].sequence
    return by_vobject


def local_starts(events: dict, zone: str) -> set[tuple[int, time]]:
    tz = ZoneInfo(zone)
    return {
        (e.start.astimezone(tz).weekday(), e.start.astimezone(tz).time()) for e in events.values()
    }


def test_four_parsers_agree_on_every_event_of_a_berlin_rota(berlin_feed: bytes) -> None:
    assert_parsers_agree(berlin_feed)


def test_four_parsers_agree_on_every_event_of_a_sydney_rota(sydney_feed: bytes) -> None:
    assert_parsers_agree(sydney_feed)


def test_handoff_stays_at_0900_when_berlin_springs_forward_and_falls_back(
    berlin_feed: bytes,
) -> None:
    events = assert_parsers_agree(berlin_feed)
    assert local_starts(events, "Europe/Berlin") == {(0, time(9))}
    starts_utc = {e.start for e in events.values()}
    assert datetime(2025, 3, 24, 8, tzinfo=UTC) in starts_utc  # CET, UTC+1
    assert datetime(2025, 3, 31, 7, tzinfo=UTC) in starts_utc  # CEST, UTC+2
    assert datetime(2025, 10, 27, 8, tzinfo=UTC) in starts_utc  # CET again
    spring = next(e for e in events.values() if e.start == datetime(2025, 3, 24, 8, tzinfo=UTC))
    assert spring.end - spring.start == timedelta(hours=167)  # the week lost an hour


def test_handoff_stays_at_0900_when_sydney_ends_and_starts_daylight_saving(
    sydney_feed: bytes,
) -> None:
    events = assert_parsers_agree(sydney_feed)
    assert local_starts(events, "Australia/Sydney") == {(0, time(9))}
    starts_utc = {e.start for e in events.values()}
    assert datetime(2025, 3, 30, 22, tzinfo=UTC) in starts_utc  # Mon 31 Mar, AEDT (UTC+11)
    assert datetime(2025, 4, 6, 23, tzinfo=UTC) in starts_utc  # Mon 7 Apr, AEST (UTC+10)
    assert datetime(2025, 10, 5, 22, tzinfo=UTC) in starts_utc  # Mon 6 Oct, AEDT again
    autumn = next(e for e in events.values() if e.start == datetime(2025, 3, 30, 22, tzinfo=UTC))
    assert autumn.end - autumn.start == timedelta(hours=169)  # the week gained an hour


def test_people_in_every_script_survive_folding_in_all_parsers(berlin_feed: bytes) -> None:
    for line in berlin_feed.split(b"\r\n"):
        assert len(line) <= 75
        line.decode()  # no UTF-8 sequence is split across a fold
    for events in (events_by_vobject(berlin_feed), events_by_ical(berlin_feed)):
        names = " ".join(e.summary for e in events.values())
        assert "王小明" in names
        assert "विजय कुमार" in names
        assert "Ana 🦊" in names
