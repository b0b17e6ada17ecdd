"""The weekly triage digest: a repository's untriaged issues of the last 7 days, end users'
first, e-mailed to the person on triage duty (else the reviewers on duty)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from accounts.models import User
from rota.github import client
from rota.github.models import Repository, TriageDigest
from rota.github.selectors import on_duty_now
from rota.github.services import credentials_for

# author_association values of people inside the project; anyone else is an end user.
# https://docs.github.com/en/graphql/reference/enums#commentauthorassociation
INSIDERS = {"OWNER", "MEMBER", "COLLABORATOR"}


def triage_query(repository: Repository, since: date) -> str:
    """GitHub's search syntax:
    https://docs.github.com/en/search-github/searching-on-github/searching-issues-and-pull-requests
    """
    excluded = " ".join(f'-label:"{label}"' for label in repository.triaged_label_list)
    query = f"repo:{repository.full_name} is:issue is:open created:>={since:%Y-%m-%d}"
    return f"{query} {excluded}".strip()


def issue_summary(item: dict[str, Any], end_user_labels: list[str]) -> dict[str, Any]:
    labels = {(label.get("name") or "").lower() for label in item.get("labels") or []}
    association = item.get("author_association", "")
    end_user = bool(labels & {label.lower() for label in end_user_labels}) or (
        association not in INSIDERS
    )
    return {
        "number": item["number"],
        "title": item.get("title", "")[:300],
        "url": item.get("html_url", ""),
        "author": (item.get("user") or {}).get("login", ""),
        "association": association,
        "end_user": end_user,
        "created_at": item.get("created_at", ""),
    }


def triage_recipients(repository: Repository, now: datetime) -> list[User]:
    people = [a.person for a in on_duty_now(repository.triage_rota, now)]
    if not people:
        people = [a.person for a in on_duty_now(repository.review_rota, now)]
    return [p for p in people if p.email]


def triage_digest_send(repository: Repository, now: datetime) -> str:
    """Build and send this week's digest once: the (repository, rota, week) row is the claim."""
    assert repository.triage_rota is not None
    week = (now - timedelta(days=now.weekday())).date()
    try:
        with transaction.atomic():
            digest = TriageDigest.objects.create(
                repository=repository, rota=repository.triage_rota, week=week, created_at=now
            )
    except IntegrityError:
        digest = TriageDigest.objects.get(
            repository=repository, rota=repository.triage_rota, week=week
        )
        if digest.sent_at:
            return f"{repository}: digest for {week} already sent"
    items = client.issues_search(
        credentials_for(repository), triage_query(repository, (now - timedelta(days=7)).date())
    )
    issues = [
        issue_summary(item, repository.end_user_label_list)
        for item in items
        if "pull_request" not in item
    ]
    issues.sort(key=lambda issue: (not issue["end_user"], issue["created_at"]))
    recipients = triage_recipients(repository, now)
    context = {"repository": repository, "issues": issues, "week": week}
    if recipients:
        send_mail(
            " ".join(render_to_string("emails/triage_digest_subject.txt", context).split()),
            render_to_string("emails/triage_digest_body.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [p.email for p in recipients],
        )
    TriageDigest.objects.filter(pk=digest.pk).update(
        issues=issues, recipients=[p.name for p in recipients], sent_at=now
    )
    return f"{repository}: {len(issues)} untriaged issue(s) to {len(recipients)} person(s)"


def triage_digests_send(now: datetime) -> list[str]:
    repositories = Repository.objects.filter(active=True, triage_rota__isnull=False)
    return [triage_digest_send(repository, now) for repository in repositories]
