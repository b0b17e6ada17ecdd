"""Open review requests weigh in the next plan: a reviewer drowning in requests is given fewer
new review weeks than the same person without them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rota.github.models import Repository, RequestState, ReviewRequest
from rota.rotas.models import Assignment, Membership, Rota
from rota.rotas.planning import problem_for_rota, rota_plan
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def reviewers(review_rota: Rota) -> list:
    people = [
        make_user(name, time_zone="Europe/Berlin", organisation=name)
        for name in ("ana", "ben", "cai", "dev")
    ]
    for person in people:
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    Membership.objects.filter(rota=review_rota).update(joined_at=NOW - timedelta(days=400))
    Rota.objects.filter(pk=review_rota.pk).update(horizon_weeks=12, freeze_weeks=0)
    return people


def _requests(repository: Repository, person, count: int) -> None:
    ReviewRequest.objects.bulk_create(
        ReviewRequest(
            repository=repository, pull_number=100 + n, login=person.username, person=person
        )
        for n in range(count)
    )


def test_open_review_requests_count_as_recent_load_in_the_planners_problem(
    repository: Repository, reviewers: list, review_rota: Rota
) -> None:
    ana = reviewers[0]
    _requests(repository, ana, 12)
    ReviewRequest.objects.filter(pull_number=111).update(state=RequestState.REVIEWED)
    review_rota.refresh_from_db()
    problem, _, _ = problem_for_rota(review_rota, NOW)
    person = next(p for p in problem.people if p.id == str(ana.pk))
    # 11 open requests: two duties' worth (five requests a duty), counted in the last weeks.
    assert [(c.rota, c.duties, c.weeks) for c in person.past_counts] == [
        (str(review_rota.pk), 2, 2)
    ]
    others = [p for p in problem.people if p.id != str(ana.pk)]
    assert all(not p.past_counts for p in others)


def test_a_reviewer_drowning_in_requests_gets_fewer_review_weeks(
    repository: Repository, reviewers: list, review_rota: Rota
) -> None:
    ana = reviewers[0]
    _requests(repository, ana, 15)
    rota_plan(review_rota.pk, now=NOW)
    weeks = {
        p.username: Assignment.objects.active().filter(person=p, shift__rota=review_rota).count()
        for p in reviewers
    }
    assert weeks["ana"] < min(weeks[n] for n in ("ben", "cai", "dev")), weeks
