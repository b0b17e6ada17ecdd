"""The API's cast: the fixed people of tests/conftest.py, a review rota with the shift running
now and the next one, and clients signed in by session or by personal token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_create
from rota.rotas.models import Membership, Rota, Shift
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

# A Wednesday: 12:00 UTC is 17:30 in Kolkata (inside vera's 09:00-17:00? no: after it) and
# 13:00 in Berlin (inside rhea's working hours).
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
THIS_MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    client = APIClient()
    _token, plain = api_token_create(user, "test script")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def as_volunteer(volunteer: User) -> APIClient:
    return client_for(volunteer)


@pytest.fixture
def as_manager(release_manager: User) -> APIClient:
    return client_for(release_manager)


@pytest.fixture
def as_outsider(outsider: User) -> APIClient:
    return client_for(outsider)


@pytest.fixture
def colleague(review_rota: Rota) -> User:
    """Another member of the review rota, on duty next week."""
    person = make_user("cleo", time_zone="America/Sao_Paulo", country="BR", display_name="")
    Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    return person


@pytest.fixture
def shift_now(review_rota: Rota, member: Membership, release_manager: User) -> Shift:
    shift = make_shift(review_rota, THIS_MONDAY)
    make_duty(shift, member.user)
    return shift


@pytest.fixture
def shift_next(review_rota: Rota, colleague: User) -> Shift:
    shift = make_shift(review_rota, NEXT_MONDAY)
    make_duty(shift, colleague)
    return shift


@pytest.fixture
def private_rota(db: None) -> Rota:
    return Rota.objects.create(name="Security", slug="security", is_public=False)
