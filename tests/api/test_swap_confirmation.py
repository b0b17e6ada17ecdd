"""Taking a swap through the API keeps the pages' coverage rule: a swap that leaves the week
under the rota's minimum asks the taker to confirm first."""

from __future__ import annotations

import pytest

from accounts.models import User
from rota.rotas.models import Assignment, Rota
from tests.api.conftest import client_for
from tests.rotas.test_swap_rules import _berlin_and_new_york_on
from tests.rotas.test_swap_rules import planned as planned  # the community of that module

pytestmark = pytest.mark.django_db


def test_a_swap_below_the_weeks_minimum_coverage_is_taken_only_once_confirmed(
    planned: list[User], review_rota: Rota
) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(min_coverage_hours=12)
    shift, swap = _berlin_and_new_york_on(review_rota, 3)
    gus = User.objects.get(username="gus")
    as_gus = client_for(gus)
    first = as_gus.post(f"/api/v1/swap-requests/{swap.pk}/take/")
    assert first.status_code == 409
    assert first.json()["needs_confirmation"] is True
    assert "of the rota's 12 hours" in first.json()["detail"][0]
    assert not Assignment.objects.active().filter(shift=shift, person=gus).exists()
    taken = as_gus.post(f"/api/v1/swap-requests/{swap.pk}/take/", {"confirm": True})
    assert taken.status_code == 200, taken.json()
    assert Assignment.objects.active().filter(shift=shift, person=gus).exists()
