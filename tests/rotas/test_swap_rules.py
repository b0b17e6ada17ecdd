"""Swaps keep the planner's rules: limits across the rota's community, and the week's coverage
shown (or, where the rota says so, refused) before a taker confirms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from rota.rotas import services
from rota.rotas.models import Assignment, Membership, Rota, RotaKind, Shift, SwapRequest
from rota.rotas.planning import rota_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# Everyone works 09:00-17:00 their time; the zones spread the covered hours of a week.
PEOPLE = [
    ("asha", "Asia/Kolkata", "Intel"),
    ("carl", "Europe/Berlin", "Red Hat"),
    ("dana", "America/New_York", "IBM"),
    ("eli", "Australia/Sydney", "independent"),
    ("gus", "Europe/London", "Arm"),
]


@pytest.fixture
def planned(review_rota: Rota) -> list[User]:
    people = [make_user(n, time_zone=z, organisation=o) for n, z, o in PEOPLE]
    for person in people:
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    Rota.objects.filter(pk=review_rota.pk).update(horizon_weeks=10, freeze_weeks=1)
    rota_plan(review_rota.pk)
    return people


def _berlin_and_new_york_on(rota: Rota, weeks_ahead: int) -> tuple[Shift, SwapRequest]:
    """A later shift held by Carl (Berlin) and Dana (New York), about 14 UTC hours together;
    Dana asks for a swap."""
    shift = (
        Shift.objects.filter(
            rota=rota, starts_at__gt=datetime.now(UTC) + timedelta(weeks=weeks_ahead)
        )
        .order_by("starts_at")
        .first()
    )
    Assignment.objects.filter(shift=shift).update(cancelled_at=datetime.now(UTC))
    carl, dana = User.objects.get(username="carl"), User.objects.get(username="dana")
    Assignment.objects.create(shift=shift, person=carl, role="reviewer", source="overridden")
    mine = Assignment.objects.create(shift=shift, person=dana, role="reviewer", source="overridden")
    return shift, SwapRequest.objects.create(assignment=mine, requester=dana)


def test_a_swap_that_narrows_the_week_below_the_minimum_asks_first_then_keeps_the_bar_true(
    client: Client, planned: list[User], review_rota: Rota
) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(min_coverage_hours=12)
    shift, swap = _berlin_and_new_york_on(review_rota, 3)
    gus = User.objects.get(username="gus")  # London: with Berlin, about 9 hours
    client.force_login(gus)
    first = client.post("/swaps/take/", {"id": swap.pk})
    assert first.status_code == 409
    warning = first.context["warning"]
    assert warning.startswith("This week would cover") and "of the rota's 12 hours" in warning
    assert not Assignment.objects.active().filter(shift=shift, person=gus).exists()

    taken = client.post("/swaps/take/", {"id": swap.pk, "confirm": "1"})
    assert taken.status_code == 302
    assert Assignment.objects.active().filter(shift=shift, person=gus).exists()
    shift.refresh_from_db()
    assert 0 < len(shift.covered_hours) < 12  # the coverage bar shows the week as it now is


def test_a_rota_that_refuses_such_swaps_says_why_and_changes_nothing(
    planned: list[User], review_rota: Rota
) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(
        min_coverage_hours=12, refuse_swaps_below_coverage=True
    )
    shift, swap = _berlin_and_new_york_on(review_rota, 4)
    gus = User.objects.get(username="gus")
    with pytest.raises(ValidationError, match="does not take swaps that leave a week under"):
        services.swap_request_accept(gus, swap.pk, confirmed=True)
    assert not Assignment.objects.active().filter(shift=shift, person=gus).exists()
    # A taker who keeps the week covered (Sydney and Berlin) is welcome.
    eli = User.objects.get(username="eli")
    services.swap_request_accept(eli, swap.pk)
    assert Assignment.objects.active().filter(shift=shift, person=eli).exists()


def test_a_swap_that_breaks_spacing_across_the_community_is_refused(
    planned: list[User], review_rota: Rota
) -> None:
    triage = Rota.objects.create(
        name="Triage", slug="triage", kind=RotaKind.TRIAGE, seats=1, horizon_weeks=10
    )
    asha = User.objects.get(username="asha")
    Membership.objects.create(user=asha, rota=triage, roles=["triager"], min_weeks_between=4)
    Membership.objects.filter(user=asha, rota=review_rota).update(min_weeks_between=4)
    rota_plan(triage.pk)
    held = (
        Assignment.objects.active()
        .filter(person=asha, shift__starts_at__gt=datetime.now(UTC) + timedelta(weeks=2))
        .select_related("shift")
        .order_by("shift__starts_at")
        .first()
    )
    assert held is not None
    # A review duty the week after one she holds: inside her one-in-four-weeks spacing.
    near = (
        Assignment.objects.active()
        .filter(
            shift__rota=review_rota,
            shift__starts_at__gt=held.shift.starts_at,
            shift__starts_at__lt=held.shift.starts_at + timedelta(weeks=2),
        )
        .exclude(person=asha)
        .select_related("shift", "person")
        .first()
    )
    assert near is not None
    swap = SwapRequest.objects.create(assignment=near, requester=near.person)
    with pytest.raises(ValidationError) as refused:
        services.swap_request_accept(asha, swap.pk, confirmed=True)
    assert any("too close to" in m for m in refused.value.messages), refused.value.messages
    assert Assignment.objects.active().filter(pk=near.pk).exists()


def test_someone_who_joins_gets_the_spacing_the_rota_gives_new_members(
    review_rota: Rota, volunteer: User
) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(new_member_weeks_between=4)
    review_rota.refresh_from_db()
    services.memberships_join(volunteer, {review_rota.pk: ["reviewer"]})
    assert Membership.objects.get(user=volunteer).min_weeks_between == 4
