"""Every list of the API runs the same number of queries for one row as for many."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import TimeOff, User
from rota.feeds.models import FeedToken
from rota.rotas.models import (
    Component,
    Membership,
    Release,
    Rota,
    RotaKind,
    Shift,
    SwapRequest,
)
from tests.api.conftest import THIS_MONDAY, client_for
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db


def _rota(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.create(name=f"Rota {n}", slug=f"rota-{n}")
    rota.managers.add(manager)
    Membership.objects.create(user=volunteer, rota=rota, roles=["reviewer"])


def _release(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.get_or_create(
        slug="releases", defaults={"name": "Releases", "kind": RotaKind.RELEASE}
    )[0]
    release = Release.objects.create(rota=rota, version=f"1.{n}", date=date(2026, 4, 1 + n))
    shift = make_shift(rota, THIS_MONDAY + timedelta(weeks=n + 2))
    Shift.objects.filter(pk=shift.pk).update(release=release)
    make_duty(shift, volunteer, role="lead")
    make_duty(shift, make_user(f"s{n}"), role="shadow")


def _component(n: int, manager: User, volunteer: User) -> None:
    component = Component.objects.create(name=f"c{n}", repository="acme/app")
    component.owners.add(volunteer, make_user(f"o{n}"))


def _duty(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.get(slug="pr-review")
    shift = make_shift(rota, THIS_MONDAY + timedelta(weeks=n + 1))
    make_duty(shift, volunteer)
    make_duty(shift, make_user(f"d{n}"))


def _swap(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.get(slug="pr-review")
    duty = make_duty(make_shift(rota, THIS_MONDAY + timedelta(weeks=n + 2)), volunteer)
    SwapRequest.objects.create(assignment=duty, requester=volunteer)


def _time_off(n: int, manager: User, volunteer: User) -> None:
    day = date(2026, 5, 1) + timedelta(days=3 * n)
    TimeOff.objects.create(user=volunteer, start=day, end=day)


def _feed_link(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.create(name=f"Feed {n}", slug=f"feed-{n}")
    FeedToken.objects.create(user=volunteer, kind="rota", rota=rota, token_hash=f"{n:064d}")


def _membership(n: int, manager: User, volunteer: User) -> None:
    rota = Rota.objects.get(slug="pr-review")
    Membership.objects.create(user=make_user(f"m{n}"), rota=rota, roles=["reviewer"])


LISTS: list[tuple[str, str, Callable[[int, User, User], None]]] = [
    ("volunteer", "/api/v1/rotas/", _rota),
    ("volunteer", "/api/v1/rotas/releases/releases/", _release),
    ("volunteer", "/api/v1/components/", _component),
    ("volunteer", "/api/v1/me/duties/", _duty),
    ("volunteer", "/api/v1/me/swap-requests/", _swap),
    ("volunteer", "/api/v1/me/time-off/", _time_off),
    ("volunteer", "/api/v1/me/feed-links/", _feed_link),
    ("manager", "/api/v1/manage/rotas/", _rota),
    ("manager", "/api/v1/manage/rotas/pr-review/memberships/", _membership),
]


@pytest.mark.parametrize(("who", "url", "add"), LISTS, ids=[u for _, u, _ in LISTS])
def test_a_list_runs_no_query_per_row(
    who: str,
    url: str,
    add: Callable[[int, User, User], None],
    release_manager: User,
    member: Membership,
) -> None:
    volunteer = member.user
    client: APIClient = client_for(release_manager if who == "manager" else volunteer)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url)
            assert answer.status_code == 200, answer.content
        return len(queries)

    add(0, release_manager, volunteer)
    count()  # the token's first use is recorded once
    one = count()
    for n in range(1, 8):
        add(n, release_manager, volunteer)
    assert count() == one
    assert client.get(url).json()["count"] >= 8
