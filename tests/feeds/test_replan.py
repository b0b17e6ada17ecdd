"""Event identity across plan changes: UIDs follow the person, SEQUENCE follows the change.

Re-plans come from the real planner (rota_plan); a swap is written as the swap service writes
it: cancel the requester's row, create the taker's, bump the rota's plan version.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from rota.rotas.models import Assignment, AssignmentSource, Membership, Rota
from rota.rotas.planning import rota_plan
from rota.rotas.services import rota_plan_version_bump
from tests.conftest import make_user
from tests.feeds.conftest import NOW, feed_link
from tests.feeds.readers import ParsedEvent, events_by_ical, events_by_vobject

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(clock, member, volunteer: User, review_rota: Rota) -> list[User]:
    review_rota.horizon_weeks = 8
    review_rota.freeze_weeks = 2
    review_rota.save()
    others = [
        make_user("otto", time_zone="America/New_York", organisation="Acme"),
        make_user("wang", display_name="王小明", time_zone="Asia/Shanghai", organisation="Tencent"),
    ]
    for person in others:
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    rota_plan(review_rota.pk, now=NOW)
    return [volunteer, *others]


def personal_feed(client: Client, user: User) -> dict[str, ParsedEvent]:
    _, plain = feed_link(user)
    response = client.get(reverse("feeds:personal", kwargs={"token": plain}))
    assert response.status_code == 200
    events = events_by_ical(response.content)
    assert events == events_by_vobject(response.content)
    return events


def uid(assignment: Assignment) -> str:
    return f"assignment-{assignment.pk}@localhost"


def swap(assignment: Assignment, taker: User) -> Assignment:
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
    )
    new = Assignment.objects.create(
        shift=assignment.shift, person=taker, role=assignment.role, source=AssignmentSource.SWAPPED
    )
    rota_plan_version_bump(assignment.shift.rota_id)
    return new


def test_a_replan_that_moves_a_seat_cancels_the_old_uid_and_gives_the_taker_a_new_one(
    client: Client, team: list[User], review_rota: Rota, member: Membership
) -> None:
    vera = team[0]
    before = personal_feed(client, vera)
    vera_rows = list(Assignment.objects.filter(person=vera))
    movable = [a for a in vera_rows if a.shift.starts_at >= NOW + timedelta(weeks=2)]
    frozen = [a for a in vera_rows if a.shift.starts_at < NOW + timedelta(weeks=2)]
    assert movable, "the plan gives Vera a duty beyond the freeze window"
    assert all(before[uid(a)].status == "CONFIRMED" for a in vera_rows)

    rows_before = set(Assignment.objects.values_list("pk", flat=True))
    member.paused = True
    member.save()
    rota_plan(review_rota.pk, now=NOW)

    after = personal_feed(client, vera)
    for a in movable:
        event = after[uid(a)]
        assert event.status == "CANCELLED"
        assert event.sequence == before[uid(a)].sequence + 1
        assert (event.start, event.end) == (before[uid(a)].start, before[uid(a)].end)
    for a in frozen:
        assert after[uid(a)].status == "CONFIRMED"
        assert after[uid(a)].sequence == before[uid(a)].sequence

    newcomer = (
        Assignment.objects.active()
        .filter(shift=movable[0].shift)
        .exclude(pk__in=rows_before)
        .select_related("person")
        .first()
    )
    assert newcomer is not None, "someone else took Vera's seat"
    taker_feed = personal_feed(client, newcomer.person)
    assert taker_feed[uid(newcomer)].status == "CONFIRMED"
    assert uid(newcomer) not in before


def test_a_swap_cancels_the_requesters_event_and_adds_one_for_the_taker(
    client: Client, team: list[User]
) -> None:
    vera, otto, _ = team
    duty = (
        Assignment.objects.active()
        .filter(person=vera)
        .exclude(shift__assignments__person=otto)
        .first()
    )
    assert duty is not None
    before = personal_feed(client, vera)
    coworker = Assignment.objects.active().filter(shift=duty.shift).exclude(person=vera).get()

    taken = swap(duty, otto)

    vera_after = personal_feed(client, vera)
    assert vera_after[uid(duty)].status == "CANCELLED"
    assert vera_after[uid(duty)].sequence == before[uid(duty)].sequence + 1
    otto_after = personal_feed(client, otto)
    assert otto_after[uid(taken)].status == "CONFIRMED"
    assert otto_after[uid(taken)].sequence == 0
    assert (otto_after[uid(taken)].start, otto_after[uid(taken)].end) == (
        before[uid(duty)].start,
        before[uid(duty)].end,
    )
    # The co-worker keeps the same event (same UID), which now names the new partner.
    coworker_event = personal_feed(client, coworker.person)[uid(coworker)]
    assert coworker_event.status == "CONFIRMED"
    assert "Otto" in coworker_event.description
    assert vera.name not in coworker_event.description


def test_a_cancelled_duty_leaves_the_feed_after_30_days(
    client: Client, team: list[User], clock
) -> None:
    vera, otto, _ = team
    duty = (
        Assignment.objects.active()
        .filter(person=vera)
        .exclude(shift__assignments__person=otto)
        .first()
    )
    swap(duty, otto)
    clock.shift(timedelta(days=29))
    assert personal_feed(client, vera)[uid(duty)].status == "CANCELLED"
    clock.shift(timedelta(days=2))  # day 31: the cache key's date has changed too
    assert uid(duty) not in personal_feed(client, vera)


def test_a_swap_changes_the_rota_feed_for_everyone(
    client: Client, team: list[User], review_rota: Rota
) -> None:
    vera, otto, _ = team
    _, plain = feed_link(vera, review_rota)
    url = reverse("feeds:rota", kwargs={"slug": review_rota.slug, "token": plain})
    first = client.get(url)
    duty = (
        Assignment.objects.active()
        .filter(person=vera)
        .exclude(shift__assignments__person=otto)
        .first()
    )
    taken = swap(duty, otto)
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200
    events = events_by_ical(second.content)
    assert events[uid(duty)].status == "CANCELLED"
    assert events[uid(taken)].status == "CONFIRMED"
    assert events[uid(taken)].summary == "Otto: PR review duty - PR review"
