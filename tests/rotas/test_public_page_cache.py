"""A public rota page is kept for signed-out visitors under the plan's version: a second visit
is a cache read, and any change to the plan shows at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from rota.rotas.models import Rota
from rota.rotas.services import rota_plan_version_bump
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db


def test_a_second_visit_reads_the_cache_and_a_plan_change_shows_at_once(
    review_rota: Rota, volunteer: User, member
) -> None:
    visitor = Client()
    first = visitor.get("/rotas/pr-review/?tz=UTC")
    assert first.status_code == 200 and "Nobody assigned" not in first.content.decode()
    with CaptureQueriesContext(connection) as read:
        again = visitor.get("/rotas/pr-review/?tz=UTC")
    assert again.content == first.content
    assert len(read) <= 2  # the rota itself, and nothing of the schedule

    shift = make_shift(review_rota, datetime.now(UTC) + timedelta(days=3))
    make_duty(shift, volunteer)
    rota_plan_version_bump(review_rota.pk)  # as every write of the plan does
    changed = visitor.get("/rotas/pr-review/?tz=UTC").content.decode()
    assert "Vera" in changed


def test_signed_in_readers_and_other_zones_get_their_own_page(
    client: Client, review_rota: Rota, volunteer: User, member
) -> None:
    shift = make_shift(review_rota, datetime.now(UTC) + timedelta(days=3))
    make_duty(shift, volunteer)
    utc = Client().get("/rotas/pr-review/?tz=UTC").content.decode()
    tokyo = Client().get("/rotas/pr-review/?tz=Asia/Tokyo").content.decode()
    assert utc != tokyo and "Asia/Tokyo" in tokyo
    client.force_login(volunteer)
    mine = client.get("/rotas/pr-review/?tz=UTC").content.decode()
    assert "Log out" in mine and "Log out" not in utc
    assert "Asia/Kolkata" in mine  # members see zones; the public page does not


def test_the_rota_list_is_kept_too_and_follows_every_plan(
    review_rota: Rota, volunteer: User, member
) -> None:
    visitor = Client()
    first = visitor.get("/")
    with CaptureQueriesContext(connection) as read:
        assert visitor.get("/").content == first.content
    assert len(read) <= 1
    shift = make_shift(review_rota, datetime.now(UTC) - timedelta(hours=1))
    make_duty(shift, volunteer)
    rota_plan_version_bump(review_rota.pk)
    assert "Vera" in visitor.get("/").content.decode()  # on duty now
    Rota.objects.filter(pk=review_rota.pk).update(name="Code review")
    assert "Code review" in visitor.get("/rotas/").content.decode()
