"""A schema-driven fuzz run: schemathesis generates requests for every operation in
/api/schema/ and checks that none answers 5xx and every answer matches the schema.

Bounded (five derandomised examples per operation as a manager with a token, three per read
anonymously, on a rota with shifts and a release rota) so CI stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.models import User
from accounts.services import api_token_create
from rota.api import throttling
from rota.rotas.models import Membership, Release, Rota, RotaKind
from tests.api.conftest import NEXT_MONDAY, THIS_MONDAY
from tests.rotas.duties import make_duty, make_shift

EXAMPLES_PER_OPERATION = 5


def _schema() -> Any:
    # Read once at collection through the WSGI app: the schema view needs no database.
    from rota.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _schema()


@pytest.fixture(autouse=True)
def _connection_kept_across_requests() -> Iterator[None]:
    """Requests go through the WSGI app, whose request signals close the database connection,
    and with it the test's transaction; Django's own test client disconnects them the same
    way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manager_token(
    monkeypatch: pytest.MonkeyPatch,
    release_manager: User,
    review_rota: Rota,
    member: Membership,
) -> str:
    # The fuzz run is one caller; the throttle has its own tests.
    monkeypatch.setattr(
        throttling.CallerThrottle, "rates", {"user": "100000/min", "address": "100000/min"}
    )
    make_duty(make_shift(review_rota, THIS_MONDAY), member.user)
    make_duty(make_shift(review_rota, NEXT_MONDAY), member.user)
    releases = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    releases.managers.add(release_manager)
    Release.objects.create(rota=releases, version="1.0", date=NEXT_MONDAY.date())
    return api_token_create(release_manager, "fuzz")[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_operation_answers_5xx_or_breaks_its_schema(case: Any, manager_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {manager_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@schema.include(method="GET").parametrize()
@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_anonymous_reads_answer_no_5xx_and_keep_their_schema(case: Any, manager_token: str) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
