"""Following up reviewers who stay silent for N of their own working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.models import TimeOff, User
from rota.celery import app
from rota.github.assignment import silent_reviewers_follow_up
from rota.github.models import DecisionKind, Repository, RequestState, ReviewDecision, ReviewRequest
from rota.rotas.models import Assignment, Rota, Shift
from tests.conftest import make_user
from tests.github.standin import StandIn

# Monday 2 March 2026, 10:00 in Berlin. Alice works 09:00-17:00 Berlin time on weekdays, so
# her 16th working hour since then ends on Wednesday at 10:00 Berlin (09:00 UTC).
ASKED = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def people(db: None, review_rota: Rota, repository: Repository) -> dict[str, User]:
    cast = {
        "alice": make_user("alice", github_login="alice-gh", time_zone="Europe/Berlin"),
        "bob": make_user("bob", github_login="bob-gh", time_zone="Europe/Berlin"),
        "carol": make_user("carol", github_login="carol-gh", time_zone="Europe/Berlin"),
    }
    shift = Shift.objects.create(
        rota=review_rota,
        key="w",
        starts_at=ASKED - timedelta(days=1),
        ends_at=ASKED + timedelta(days=14),
    )
    for person in cast.values():
        Assignment.objects.create(shift=shift, person=person, role="reviewer")
    ReviewRequest.objects.create(
        repository=repository,
        pull_number=2,
        login="alice-gh",
        person=cast["alice"],
        requested_at=ASKED,
        by_rota=True,
        pull_author="Codertocat",
    )
    return cast


def follow_up(at: datetime) -> str:
    with time_machine.travel(at, tick=False):
        return silent_reviewers_follow_up(at)


def test_a_reviewer_is_followed_up_only_after_16_of_their_working_hours(
    repository: Repository, people: dict[str, User], standin: StandIn
) -> None:
    assert follow_up(datetime(2026, 3, 4, 8, 30, tzinfo=UTC)).startswith("followed up 0")
    assert standin.requested() == []
    assert follow_up(datetime(2026, 3, 4, 9, 30, tzinfo=UTC)).startswith("followed up 1")
    assert standin.requested() == ["bob-gh"]
    decision = ReviewDecision.objects.get(kind=DecisionKind.FOLLOW_UP)
    assert decision.login == "bob-gh"
    assert "follows up alice-gh, silent after 16 of their working hours" in decision.reason
    # The first reviewer stays requested (the default), and is not followed up again.
    assert ReviewRequest.objects.get(login="alice-gh").state == RequestState.OPEN
    follow_up(datetime(2026, 3, 4, 11, tzinfo=UTC))
    assert standin.requested() == ["bob-gh"]


def test_time_off_does_not_count_as_silence(
    repository: Repository, people: dict[str, User], standin: StandIn
) -> None:
    TimeOff.objects.create(user=people["alice"], start=date(2026, 3, 3), end=date(2026, 3, 3))
    assert follow_up(datetime(2026, 3, 4, 9, 30, tzinfo=UTC)).startswith("followed up 0")
    assert follow_up(datetime(2026, 3, 5, 9, 30, tzinfo=UTC)).startswith("followed up 1")


def test_the_silent_reviewer_can_be_removed_instead_of_kept(
    repository: Repository, people: dict[str, User], standin: StandIn
) -> None:
    repository.silent_keep_first = False
    repository.save()
    follow_up(datetime(2026, 3, 4, 9, 30, tzinfo=UTC))
    assert [c.body for c in standin.calls("remove")] == [{"reviewers": ["alice-gh"]}]
    assert ReviewRequest.objects.get(login="alice-gh").state == RequestState.REMOVED
    assert ReviewDecision.objects.filter(kind=DecisionKind.REMOVED, login="alice-gh").exists()


def test_follow_ups_stop_at_the_repositorys_limit_per_pull_request(
    repository: Repository, people: dict[str, User], standin: StandIn
) -> None:
    repository.silent_max_follow_ups = 1
    repository.save()
    follow_up(datetime(2026, 3, 4, 9, 30, tzinfo=UTC))  # bob follows alice up
    # Bob stays silent for his 16 working hours too: no third reviewer.
    assert follow_up(datetime(2026, 3, 6, 10, 30, tzinfo=UTC)).startswith("followed up 0")
    assert standin.requested() == ["bob-gh"]
    assert (
        "had its 1 follow-up(s) already"
        in ReviewDecision.objects.filter(kind=DecisionKind.NOBODY).get().reason
    )


def test_the_job_is_declared_in_the_one_schedule() -> None:
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "rota.github.tasks.silent_reviewers_task",
        "rota.github.tasks.triage_digests_task",
    } <= tasks
