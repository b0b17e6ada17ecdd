"""Bad input never gives a 500: every page, GET and POST, with garbage, as every cast member.

Each URL is requested with its real path arguments and with nonsense ones; every form is
posted empty, with wrong types and with hostile strings. The answer may be 200, a redirect,
400, 403, 404, 405 or 409: anything but a server error.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from rota.rotas.models import Membership
from rota.rotas.planning import rota_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/signup",
    "/login",
    "/logout",
    "/password/reset",
    "/password/reset/sent",
    "/password/reset/MQ/bad-token",
    "/password/change",
    "/me/profile",
    "/me/time-off",
    "/me/time-off/remove",
    "/me/duties",
    "/me/rotas",
    "/me/rotas/pause",
    "/me/rotas/resume",
    "/me/rotas/leave",
    "/swaps",
    "/swaps/new",
    "/swaps/new?duty=abc",
    "/swaps/new?duty=999999",
    "/swaps/take",
    "/swaps/withdraw",
    "/rotas/pr-review",
    "/rotas/pr-review?tz=Mars/Base",
    "/rotas/no-such-rota",
    "/feeds/",
    "/feeds/me/" + "A" * 43 + ".ics",
    "/feeds/rota/pr-review/" + "B" * 43 + ".ics",
    "/feeds/rota/pr-review.ics",
    "/feeds/rota/no-such-rota.ics",
    "/healthz",
]

GARBAGE = [
    {},
    {"id": "abc", "membership": "x", "duty": "-1", "target": "🙂", "rota": "[]"},
    {"id": "99999999999999999999", "start": "2026-02-30", "end": "yesterday"},
    {
        "username": "a" * 500,
        "email": "not-an-e-mail",
        "time_zone": "Mars/Base",
        "country": "XX",
        "github_login": "--",
        "password1": "x",
        "password2": "y",
        "hours-TOTAL_FORMS": "nope",
        "hours-INITIAL_FORMS": "-5",
        "action": "create",
        "kind": "personal' OR 1=1 --",
        "reminder_minutes": "1e9",
    },
    {"hours-TOTAL_FORMS": "1000000", "hours-INITIAL_FORMS": "0", "action": "revoke", "token": "x"},
    # The ends of the calendar, and past them.
    {"start": "9999-12-31", "end": "9999-12-31", "date": "0001-01-01", "id": "1"},
    {"start": "0001-01-01", "end": "10000-01-01", "hours-0-start": "24:00"},
    # A megabyte in every field, control and bidirectional characters.
    {
        "username": "x" * 1_000_000,
        "display_name": "\u202e" * 1000,
        "organisation": "Intel\x00\x1b[31m\u2066",
        "note": "\r\n" * 1000,
        "message": "y" * 1_000_000,
        "email": "a@" + "b" * 300 + ".org",
    },
]


@pytest.fixture
def cast(review_rota):
    volunteer = make_user("vik", time_zone="Asia/Kolkata", country="IN", organisation="A")
    other = make_user("ola", time_zone="Europe/Oslo", country="NO", organisation="B")
    for person in (volunteer, other):
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    rota_plan(review_rota.pk, now=datetime.now(UTC) - timedelta(minutes=1))
    return {"anonymous": None, "volunteer": volunteer, "other": other}


@pytest.mark.parametrize("who", ["anonymous", "volunteer"])
def test_no_page_answers_a_server_error_to_garbage(cast, who):
    client = Client(raise_request_exception=False)
    if cast[who] is not None:
        client.force_login(cast[who])
    failures = []
    for url in PAGES:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(("GET", url, response.status_code))
        for data in GARBAGE:
            response = client.post(url, data)
            if response.status_code >= 500:
                failures.append(("POST", url, sorted(data)[:3], response.status_code))
    assert failures == []
