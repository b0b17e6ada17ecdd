"""The weekly triage digest, from GitHub's search API at the stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from rota.github.models import Repository, TriageDigest
from rota.github.triage import triage_digests_send
from rota.rotas.models import Assignment, Rota, RotaKind, Shift
from tests.conftest import make_user
from tests.github.standin import StandIn

NOW = datetime(2026, 3, 2, 7, 5, tzinfo=UTC)  # a Monday


def issue(
    number: int, association: str, labels: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    return {
        "number": number,
        "title": f"Issue {number}",
        "html_url": f"https://github.com/Codertocat/Hello-World/issues/{number}",
        "user": {"login": f"user{number}"},
        "author_association": association,
        "labels": [{"name": name} for name in labels],
        "created_at": f"2026-03-0{number % 2 + 1}T10:00:00Z",
        **extra,
    }


@pytest.fixture
def triage_rota(db: None, repository: Repository) -> Rota:
    rota = Rota.objects.create(name="Triage", slug="triage", kind=RotaKind.TRIAGE, seats=1)
    repository.triage_rota = rota
    repository.save()
    return rota


def put_on_duty(rota: Rota, person: User) -> None:
    shift = Shift.objects.create(
        rota=rota,
        key=f"s{person.pk}",
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=6),
    )
    Assignment.objects.create(shift=shift, person=person, role=rota.roles[0])


def test_the_digest_lists_untriaged_issues_end_users_first_to_the_person_on_triage_duty(
    repository: Repository, triage_rota: Rota, standin: StandIn
) -> None:
    tess = make_user("tess", github_login="tess-gh")
    put_on_duty(triage_rota, tess)
    standin.issues = [
        issue(1, "MEMBER"),
        issue(2, "NONE"),
        issue(3, "MEMBER", ("kind/support",)),
        issue(4, "CONTRIBUTOR", pull_request={"url": "x"}),
    ]
    triage_digests_send(NOW)
    (query,) = [c.query["q"][0] for c in standin.calls("search")]
    assert query == (
        'repo:Codertocat/Hello-World is:issue is:open created:>=2026-02-23 -label:"triage/accepted"'
    )
    digest = TriageDigest.objects.get()
    assert [(i["number"], i["end_user"]) for i in digest.issues] == [
        (2, True),  # an outsider's, the oldest
        (3, True),  # a member's, but labelled as an end user's report
        (1, False),
    ]
    assert digest.recipients == ["Tess"]
    (message,) = mail.outbox
    assert message.to == ["tess@example.org"]
    assert "3 untriaged issues" in message.subject
    assert message.body.index("#2") < message.body.index("#3") < message.body.index("#1")


def test_with_nobody_on_triage_duty_the_reviewers_on_duty_get_it(
    repository: Repository, triage_rota: Rota, review_rota: Rota, standin: StandIn
) -> None:
    put_on_duty(review_rota, make_user("rey", github_login="rey-gh"))
    triage_digests_send(NOW)
    assert [m.to for m in mail.outbox] == [["rey@example.org"]]


def test_a_weeks_digest_is_sent_once(
    repository: Repository, triage_rota: Rota, standin: StandIn
) -> None:
    put_on_duty(triage_rota, make_user("tess"))
    triage_digests_send(NOW)
    triage_digests_send(NOW + timedelta(hours=1))
    assert len(mail.outbox) == 1 and len(standin.calls("search")) == 1


def test_the_digest_is_shown_on_the_managers_page(
    client: Client,
    repository: Repository,
    triage_rota: Rota,
    standin: StandIn,
    release_manager: User,
) -> None:
    standin.issues = [issue(2, "NONE")]
    triage_digests_send(NOW)
    client.force_login(release_manager)
    page = client.get("/github/decisions/").content.decode()
    assert "Triage digests" in page and "#2 Issue 2" in page
