"""The managers' dashboard shows the GitHub work that failed for their rotas."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from rota.github.models import DecisionKind, Delivery, DeliveryStatus, Repository, ReviewDecision
from rota.rotas.models import Rota, RotaKind
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_failed_deliveries_and_refused_reviewers_reach_the_rotas_managers_only(
    client: Client, repository: Repository, release_manager: User
) -> None:
    Delivery.objects.create(
        delivery_id="d-1",
        event="pull_request",
        action="opened",
        repository=repository,
        status=DeliveryStatus.FAILED,
        attempts=6,
        error="GitHub answered 502 six times",
    )
    ReviewDecision.objects.create(
        repository=repository,
        pull_number=42,
        kind=DecisionKind.REFUSED,
        login="vera",
        reason="422: vera is not a collaborator",
    )
    client.force_login(release_manager)
    html = client.get("/manage/").content.decode()
    assert "GitHub answered 502 six times" in html
    assert "#42" in html and "not a collaborator" in html

    other = make_user("mo")
    Rota.objects.create(name="Docs", slug="docs", kind=RotaKind.TRIAGE).managers.add(other)
    client.force_login(other)
    html = client.get("/manage/").content.decode()
    assert "GitHub answered 502" not in html and "#42" not in html
