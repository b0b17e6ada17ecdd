"""A reviewer taking over is told in their hand-off note what waits on the repositories their
rota reviews: requests waiting on them, requests still open with earlier reviewers, and pull
requests nobody could be asked to review during the previous duty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from rota.github.models import (
    DecisionKind,
    Repository,
    RequestState,
    ReviewDecision,
    ReviewRequest,
)
from rota.github.selectors import HANDOFF_ITEMS
from rota.notifications.tasks import handoffs_send_task
from rota.rotas.models import Rota
from rota.rotas.open_work import open_work_listed
from tests.conftest import make_user
from tests.notifications.beat import run_at
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

MONDAY_0900_UTC = datetime(2026, 3, 9, 9, tzinfo=UTC)  # 10:00 in Berlin
PULLS = "https://github.com/Codertocat/Hello-World/pull"


def _request(repository: Repository, number: int, person, *, days_ago: int, **fields) -> None:
    ReviewRequest.objects.create(
        repository=repository,
        pull_number=number,
        login=person.username,
        person=person,
        requested_at=MONDAY_0900_UTC - timedelta(days=days_ago),
        **fields,
    )


@pytest.fixture
def handover(review_rota: Rota, repository: Repository) -> dict:
    ines, omar, ute = (make_user(n) for n in ("ines", "omar", "ute"))
    last_week = make_shift(review_rota, MONDAY_0900_UTC - timedelta(weeks=1))
    make_duty(last_week, omar)
    this_week = make_shift(review_rota, MONDAY_0900_UTC)
    make_duty(this_week, ines)
    make_duty(this_week, ute)
    return {"ines": ines, "omar": omar, "ute": ute, "repository": repository}


def test_the_hand_off_note_lists_review_work_waiting_for_the_new_reviewer(handover: dict) -> None:
    ines, omar, ute, repository = (handover[k] for k in ("ines", "omar", "ute", "repository"))
    _request(repository, 7, ines, days_ago=2)  # asked of Ines directly
    _request(repository, 8, omar, days_ago=3, by_rota=True)  # Omar's, from last week
    _request(repository, 9, omar, days_ago=4, by_rota=True, state=RequestState.REVIEWED)
    _request(repository, 10, ute, days_ago=1, by_rota=True)  # Ute is on now: her own
    ReviewDecision.objects.create(
        repository=repository,
        pull_number=11,
        kind=DecisionKind.NOBODY,
        reason="nobody on duty, no owner in working hours, no team",
        created_at=MONDAY_0900_UTC - timedelta(days=2),
    )
    ReviewDecision.objects.create(  # asked of someone since: no longer waiting
        repository=repository,
        pull_number=10,
        kind=DecisionKind.NOBODY,
        reason="nobody on duty",
        created_at=MONDAY_0900_UTC - timedelta(days=2),
    )
    ReviewDecision.objects.create(  # before the previous duty: the dashboard's business
        repository=repository,
        pull_number=12,
        kind=DecisionKind.NOBODY,
        reason="nobody on duty",
        created_at=MONDAY_0900_UTC - timedelta(days=9),
    )

    run_at(handoffs_send_task, MONDAY_0900_UTC)

    [note] = [m for m in mail.outbox if m.to == [ines.email]]
    body = note.body
    assert "Review requests waiting on you:\n- Codertocat/Hello-World#7, waiting 2" in body
    assert f"#7, waiting 2\xa0days: {PULLS}/7" in body
    assert "Still waiting on earlier reviewers:\n- Codertocat/Hello-World#8 (Omar)" in body
    assert f"{PULLS}/8" in body
    assert "#9" not in body  # reviewed
    assert "#10" not in body.split("Still waiting")[1].split("Pull requests nobody")[0]
    assert "Pull requests nobody could be asked to review:\n- Codertocat/Hello-World#11" in body
    assert "#12" not in body
    [ute_note] = [m for m in mail.outbox if m.to == [ute.email]]
    assert "Review requests waiting on you:\n- Codertocat/Hello-World#10" in ute_note.body


def test_a_long_queue_is_summed_up_and_no_work_says_nothing(handover: dict) -> None:
    ines, omar, repository = handover["ines"], handover["omar"], handover["repository"]
    for number in range(100, 100 + HANDOFF_ITEMS + 3):
        _request(repository, number, omar, days_ago=3, by_rota=True)

    run_at(handoffs_send_task, MONDAY_0900_UTC)

    [note] = [m for m in mail.outbox if m.to == [ines.email]]
    assert note.body.count("(Omar), waiting") == HANDOFF_ITEMS
    assert "- and 3 more" in note.body
    assert "waiting on you" not in note.body  # no section without items


def test_an_inactive_repository_is_not_listed(handover: dict) -> None:
    ines, repository = handover["ines"], handover["repository"]
    _request(repository, 7, ines, days_ago=2)
    Repository.objects.filter(pk=repository.pk).update(active=False)
    run_at(handoffs_send_task, MONDAY_0900_UTC)
    [note] = [m for m in mail.outbox if m.to == [ines.email]]
    assert "Hello-World" not in note.body


def test_a_failing_answer_costs_its_section_only(handover: dict) -> None:
    ines = handover["ines"]

    def broken(**kwargs):
        raise RuntimeError("the answerer fell over")

    open_work_listed.connect(broken, dispatch_uid="test-broken")
    try:
        _request(handover["repository"], 7, ines, days_ago=2)
        run_at(handoffs_send_task, MONDAY_0900_UTC)
    finally:
        open_work_listed.disconnect(dispatch_uid="test-broken")
    [note] = [m for m in mail.outbox if m.to == [ines.email]]
    assert "Codertocat/Hello-World#7" in note.body


def test_github_enterprise_links_point_at_its_own_host(handover: dict, settings) -> None:
    settings.GITHUB_WEB_URL = "https://git.example.org"
    _request(handover["repository"], 7, handover["ines"], days_ago=2)
    run_at(handoffs_send_task, MONDAY_0900_UTC)
    [note] = [m for m in mail.outbox if m.to == [handover["ines"].email]]
    assert "https://git.example.org/Codertocat/Hello-World/pull/7" in note.body
