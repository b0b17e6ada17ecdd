"""Open review requests per person, kept from GitHub's recorded events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from rota.github.models import Delivery, DeliveryStatus, Repository, RequestState, ReviewRequest
from rota.github.selectors import open_requests_by_login
from rota.github.services import delivery_store
from rota.github.tasks import delivery_process_task
from tests.conftest import make_user
from tests.github.described import payload

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


def receive(repository: Repository, name: str, delivery: str) -> Delivery:
    with time_machine.travel(NOW, tick=False):
        delivery_store(repository, delivery, name.split(".")[0], payload(name), timezone.now())
        stored = Delivery.objects.get(delivery_id=delivery)
        delivery_process_task(stored.pk)
    stored.refresh_from_db()
    assert stored.status == DeliveryStatus.DONE, stored.error
    return stored


@pytest.fixture
def octocat(db: None) -> User:
    return make_user("octo", github_login="octocat")


def test_a_review_request_counts_once_for_the_person(repository: Repository, octocat: User) -> None:
    receive(repository, "pull_request.review_requested", "r-1")
    receive(repository, "pull_request.review_requested", "r-2")  # the same request again
    request = ReviewRequest.objects.get()
    assert (request.login, request.person, request.state) == ("octocat", octocat, RequestState.OPEN)
    assert open_requests_by_login(["OctoCat"]) == {"octocat": 1}


def test_a_removed_request_no_longer_counts(repository: Repository, octocat: User) -> None:
    receive(repository, "pull_request.review_requested", "r-1")
    receive(repository, "pull_request.review_request_removed", "r-2")
    assert ReviewRequest.objects.get().state == RequestState.REMOVED
    assert open_requests_by_login(["octocat"]) == {}


def test_a_submitted_review_closes_the_reviewers_request(
    repository: Repository, octocat: User
) -> None:
    ReviewRequest.objects.create(repository=repository, pull_number=2, login="Codertocat")
    ReviewRequest.objects.create(repository=repository, pull_number=2, login="octocat")
    receive(repository, "pull_request_review.submitted", "r-1")  # a review by Codertocat
    states = dict(ReviewRequest.objects.values_list("login", "state"))
    assert states == {"Codertocat": RequestState.REVIEWED, "octocat": RequestState.OPEN}


def test_closing_the_pull_request_closes_every_open_request(
    repository: Repository, octocat: User
) -> None:
    receive(repository, "pull_request.review_requested", "r-1")
    ReviewRequest.objects.create(repository=repository, pull_number=7, login="octocat")
    receive(repository, "pull_request.closed", "r-2")
    assert open_requests_by_login(["octocat"]) == {"octocat": 1}  # #7 is still open
    assert ReviewRequest.objects.get(pull_number=2).state == RequestState.CLOSED


def test_a_team_request_is_nobodys_personal_load(repository: Repository) -> None:
    body = payload("pull_request.review_requested")
    body.pop("requested_reviewer")
    body["requested_team"] = {"name": "reviewers", "slug": "reviewers"}
    with time_machine.travel(NOW, tick=False):
        delivery_store(repository, "t-1", "pull_request", body, timezone.now())
        delivery_process_task(Delivery.objects.get().pk)
    assert not ReviewRequest.objects.exists()
    assert "team request" in Delivery.objects.get().outcome
