"""Requesting the on-duty reviewers: every rule, against the stand-in, from recorded payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from rota.github.models import (
    DecisionKind,
    Delivery,
    DeliveryStatus,
    NotAssignable,
    Repository,
    RequestState,
    ReviewDecision,
    ReviewRequest,
)
from rota.github.services import delivery_store, ownership_import_codeowners
from rota.github.tasks import delivery_process_task
from rota.rotas.models import Assignment, OutboxTask, Rota, Shift
from tests.conftest import make_user
from tests.github.described import payload
from tests.github.standin import StandIn

# A Wednesday: 13:00 in Berlin (working), 07:00 in New York (starts in 2 h), 17:30 in Kolkata
# (done for the day).
NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


@pytest.fixture
def cast(db: None, review_rota: Rota) -> dict[str, User]:
    people = {
        "alice": make_user("alice", github_login="alice-gh", time_zone="Europe/Berlin"),
        "bob": make_user("bob", github_login="bob-gh", time_zone="America/New_York"),
        "chandra": make_user("chandra", github_login="chandra-gh", time_zone="Asia/Kolkata"),
        "author": make_user("codertocat", github_login="Codertocat", time_zone="Europe/Berlin"),
        "owner": make_user("olga", github_login="olga-gh", time_zone="Europe/Berlin"),
    }
    shift = Shift.objects.create(
        rota=review_rota,
        key="now",
        starts_at=NOW - timedelta(days=2),
        ends_at=NOW + timedelta(days=5),
    )
    for name in ("alice", "bob", "chandra", "author"):
        Assignment.objects.create(shift=shift, person=people[name], role="reviewer")
    return people


def process(
    repository: Repository,
    name: str = "pull_request.opened",
    delivery: str = "d-1",
    change: Any = None,
) -> Delivery:
    body = payload(name)
    if change:
        change(body)
    with time_machine.travel(NOW, tick=False):
        delivery_store(repository, delivery, name.split(".")[0], body, timezone.now())
        stored = Delivery.objects.get(delivery_id=delivery)
        delivery_process_task(stored.pk)
    stored.refresh_from_db()
    return stored


def open_requests(login: str, n: int, repository: Repository) -> None:
    for number in range(100, 100 + n):
        ReviewRequest.objects.create(repository=repository, pull_number=number, login=login)


def test_working_reviewers_on_duty_are_requested_first_and_the_author_never(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    delivery = process(repository)
    assert delivery.status == DeliveryStatus.DONE
    # Berlin is at work now, New York starts in two hours, Kolkata has gone home.
    assert standin.requested() == ["alice-gh", "bob-gh"]
    assert not OutboxTask.objects.filter(key__startswith="github:").exists()
    reasons = dict(
        ReviewDecision.objects.filter(kind=DecisionKind.REQUESTED).values_list("login", "reason")
    )
    assert "in working hours now" in reasons["alice-gh"]
    assert "working hours start in 2 h 00 min" in reasons["bob-gh"]
    skipped = ReviewDecision.objects.get(kind=DecisionKind.SKIPPED, login="Codertocat")
    assert skipped.reason == "is the author"


def test_owners_of_the_touched_components_come_before_working_hours(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    ownership_import_codeowners(repository, "/docs/ @chandra-gh\n")
    standin.files = ["docs/guide.md", "README.md"]
    process(repository)
    assert standin.requested() == ["chandra-gh", "alice-gh"]
    assert "owns /docs/" in ReviewDecision.objects.get(login="chandra-gh").reason


def test_the_least_loaded_comes_first_and_nobody_at_the_cap(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    repository.open_requests_cap = 3
    repository.save()
    open_requests("alice-gh", 3, repository)  # at the cap
    process(repository)
    assert standin.requested() == ["bob-gh", "chandra-gh"]
    assert "cap of 3" in ReviewDecision.objects.get(login="alice-gh").reason


def test_people_already_requested_count_and_are_not_asked_again(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    process(repository, "pull_request.reopened")  # octocat is already requested there
    assert standin.requested() == ["alice-gh"]


def test_how_many_is_configurable(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    repository.reviewers_per_pull_request = 3
    repository.save()
    process(repository)
    assert standin.requested() == ["alice-gh", "bob-gh", "chandra-gh"]


def test_a_draft_gets_nobody_until_it_is_ready_for_review(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    def draft(body: dict[str, Any]) -> None:
        body["pull_request"]["draft"] = True

    delivery = process(repository, change=draft)
    assert "draft" in delivery.outcome and standin.requested() == []
    process(repository, "pull_request.ready_for_review", "d-2")
    assert standin.requested() == ["alice-gh"]


def test_a_422_marks_the_person_not_assignable_and_the_next_is_tried(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    standin.refuse = {"alice-gh"}
    process(repository)
    assert standin.requested() == ["alice-gh", "bob-gh", "chandra-gh"]
    assert NotAssignable.objects.filter(login="alice-gh", repository=repository).exists()
    assert ReviewDecision.objects.filter(kind=DecisionKind.REFUSED, login="alice-gh").exists()
    assert set(ReviewRequest.objects.values_list("login", flat=True)) == {"bob-gh", "chandra-gh"}
    # Next time alice is passed over without asking GitHub.
    standin.seen.clear()
    process(repository, delivery="d-2", change=lambda b: b["pull_request"].update(number=3))
    assert "alice-gh" not in standin.requested()


def test_with_nobody_on_duty_owners_in_working_hours_are_asked(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    Assignment.objects.all().delete()
    ownership_import_codeowners(repository, "* @olga-gh @chandra-gh\n")
    process(repository)
    assert standin.requested() == ["olga-gh"]  # chandra is outside her working hours
    assert "nobody on duty qualified" in ReviewDecision.objects.get(login="olga-gh").reason


def test_then_the_fallback_team(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    Assignment.objects.all().delete()
    repository.fallback_team = "reviewers"
    repository.save()
    delivery = process(repository)
    assert [c.body for c in standin.calls("request")] == [{"team_reviewers": ["reviewers"]}]
    assert "team reviewers" in delivery.outcome
    assert ReviewDecision.objects.get().kind == DecisionKind.TEAM


def test_every_page_of_changed_files_is_read_up_to_githubs_3000(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    standin.files = [f"src/f{i}.py" for i in range(3100)]
    ownership_import_codeowners(repository, "src/f2999.py @chandra-gh\nsrc/f3050.py @bob-gh\n")
    process(repository)
    pages = [int(c.query["page"][0]) for c in standin.calls("files")]
    assert pages == list(range(1, 31))
    # File 3,000 was seen (chandra owns it); 3,051 never is (bob, who owns it, waits his turn).
    assert standin.requested() == ["chandra-gh", "alice-gh"]


def test_the_same_delivery_processed_twice_requests_reviewers_once(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    delivery = process(repository)
    with time_machine.travel(NOW, tick=False):
        assert "already done" in delivery_process_task(delivery.pk)
    assert standin.requested() == ["alice-gh", "bob-gh"]


def test_a_delivery_left_by_a_dead_worker_is_taken_again_without_asking_twice(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    body = payload("pull_request.opened")
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        delivery_store(repository, "d-dead", "pull_request", body, timezone.now())
    delivery = Delivery.objects.get()
    # The dead worker had claimed it and asked for alice before dying.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PROCESSING, claimed_at=NOW - timedelta(minutes=9)
    )
    ReviewRequest.objects.create(
        repository=repository, pull_number=2, login="alice-gh", by_rota=True, delivery=delivery
    )
    with time_machine.travel(NOW, tick=False):
        delivery_process_task(delivery.pk)
    assert standin.requested() == ["bob-gh"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DONE


def test_a_worker_does_not_take_a_delivery_another_is_working_on(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    with time_machine.travel(NOW, tick=False):
        delivery_store(
            repository, "d-busy", "pull_request", payload("pull_request.opened"), timezone.now()
        )
        delivery = Delivery.objects.get()
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PROCESSING, claimed_at=NOW - timedelta(seconds=5)
        )
        assert "another worker" in delivery_process_task(delivery.pk)
    assert standin.requested() == []


def test_decisions_are_shown_to_the_person_and_to_managers(
    client: Client,
    repository: Repository,
    cast: dict[str, User],
    standin: StandIn,
    release_manager: User,
) -> None:
    process(repository)
    client.force_login(cast["alice"])
    mine = client.get("/github/decisions/").content.decode()
    assert "Codertocat/Hello-World#2" in mine and "in working hours now" in mine
    assert "Failed deliveries" not in mine
    client.force_login(release_manager)
    managed = client.get("/github/decisions/").content.decode()
    assert "bob-gh" in managed and "is the author" in managed


def test_the_requests_rota_sends_carry_its_token(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    process(repository)
    assert {c.headers["authorization"] for c in standin.seen} == {"token github_pat_test"}
    assert all(c.body == {"reviewers": [c.body["reviewers"][0]]} for c in standin.calls("request"))
    assert ReviewRequest.objects.filter(state=RequestState.OPEN, by_rota=True).count() == 2


def test_a_signed_body_replayed_under_a_new_delivery_id_asks_nobody_again(
    repository: Repository, cast: dict[str, User], standin: StandIn
) -> None:
    # X-GitHub-Delivery is not covered by the signature: a captured delivery can come back
    # under a new id. The pull request's open requests already fill its seats.
    process(repository, delivery="first")
    replay = process(repository, delivery="replayed")
    assert standin.requested() == ["alice-gh", "bob-gh"]
    assert "already has 2 reviewer(s) requested" in replay.outcome
