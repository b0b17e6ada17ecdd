"""Writes for GitHub work: storing deliveries, claiming them, load, ownership imports."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from accounts.models import User
from rota.github.client import Credentials, GitHubRateLimited
from rota.github.models import (
    AuthKind,
    Delivery,
    DeliveryStatus,
    NotAssignable,
    OwnershipRule,
    OwnershipSource,
    Repository,
    RequestState,
    ReviewRequest,
    Team,
)
from rota.github.ownership import ParseResult, codeowners_parse, prow_owners_parse
from rota.github.selectors import users_by_login
from rota.rotas.models import Component, OutboxTask
from rota.rotas.outbox import outbox_done, outbox_put

logger = logging.getLogger(__name__)

PROCESS_TASK = "rota.github.tasks.delivery_process_task"
ASSIGN_ACTIONS = {"opened", "reopened", "ready_for_review"}
LOAD_ACTIONS = {"review_requested", "review_request_removed", "closed"}


def delivery_outbox_key(delivery_pk: int) -> str:
    return f"github:delivery:{delivery_pk}"


def delivery_is_actionable(event: str, action: str) -> bool:
    if event == "pull_request":
        return action in ASSIGN_ACTIONS | LOAD_ACTIONS
    if event == "pull_request_review":
        return action == "submitted"
    return False


@dataclass(frozen=True)
class StoredDelivery:
    created: bool
    status: str


def delivery_store(
    repository: Repository | None,
    delivery_id: str,
    event: str,
    payload: dict[str, Any],
    now: datetime,
) -> StoredDelivery:
    """Store a delivery, verified as signed with `repository`'s secret, once, and in the same
    transaction the outbox row that gets it processed; a repeated delivery id changes nothing."""
    action = payload.get("action")
    action = action[:60] if isinstance(action, str) else ""
    named = (payload.get("repository") or {}).get("full_name")
    actionable = (
        delivery_is_actionable(event, action)
        and repository is not None
        and repository.active
        and isinstance(named, str)
        and named.lower() == repository.full_name.lower()
    )
    status = DeliveryStatus.PENDING if actionable else DeliveryStatus.IGNORED
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                delivery_id=delivery_id,
                event=event,
                action=action,
                repository=repository,
                payload=payload,
                received_at=now,
                status=status,
                finished_at=None if actionable else now,
                outcome="" if actionable else "not an event Rota acts on here",
            )
            if actionable:
                outbox_put(delivery_outbox_key(delivery.pk), PROCESS_TASK, [delivery.pk], now=now)
    except IntegrityError:
        existing = Delivery.objects.filter(delivery_id=delivery_id).values_list("status", flat=True)
        return StoredDelivery(False, existing.first() or "")
    return StoredDelivery(True, status)


def delivery_claim(delivery_pk: int, now: datetime) -> Delivery | None:
    """Take a delivery for this worker with a conditional update: a pending one, or one whose
    worker went quiet. None when another worker has it or it is finished."""
    stale = now - timedelta(seconds=settings.GITHUB_CLAIM_STALE_SECONDS)
    claimed = (
        Delivery.objects.filter(pk=delivery_pk)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.PROCESSING, claimed_at__lt=stale)
        )
        .update(status=DeliveryStatus.PROCESSING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("repository").get(pk=delivery_pk)


def delivery_finish(delivery: Delivery, outcome: str, token: Any, now: datetime) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, claimed_at=delivery.claimed_at).update(
            status=DeliveryStatus.DONE, outcome=outcome[:2000], error="", finished_at=now
        )
        outbox_done(delivery_outbox_key(delivery.pk), token)


def delivery_fail(delivery: Delivery, error: str, token: Any, now: datetime) -> None:
    """Give up: mark it failed (shown to managers and in the admin) and drop its outbox row."""
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, error=error[:2000], finished_at=now
        )
        OutboxTask.objects.filter(key=delivery_outbox_key(delivery.pk)).delete()
    logger.warning("GitHub delivery %s failed: %s", delivery.delivery_id, error)


def retry_delay(exc: Exception, attempt: int) -> float:
    """Rate limits: what GitHub asks, at least a minute, doubling per attempt; other transient
    errors: 10 s doubling; both capped at an hour, with up to 20% jitter so many deliveries
    held back by one limit do not all return in the same second."""
    base = 10.0 * 2 ** max(attempt - 1, 0)
    if isinstance(exc, GitHubRateLimited):
        base = max(exc.retry_after, 60.0 * 2 ** max(attempt - 1, 0))
    base = min(base, 3600.0)
    return base + random.uniform(0, base * 0.2)


def delivery_retry_later(delivery: Delivery, error: str, delay: float, now: datetime) -> None:
    """Put the delivery back for another try after `delay`: its outbox row becomes due then
    and beat's sweep sends it, so a worker never sleeps on a rate limit."""
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, error=error[:2000], claimed_at=None
        )
        OutboxTask.objects.filter(key=delivery_outbox_key(delivery.pk)).update(
            due_at=now + timedelta(seconds=delay), nudged_at=None, last_error=error[:500]
        )


def delivery_retry_now(delivery_pk: int, now: datetime) -> bool:
    """A manager's "try again" on a failed delivery."""
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery_pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, error="", finished_at=None
        )
        if updated:
            outbox_put(delivery_outbox_key(delivery_pk), PROCESS_TASK, [delivery_pk], now=now)
    return bool(updated)


def credentials_for(repository: Repository) -> Credentials:
    if repository.auth_kind == AuthKind.TOKEN:
        return Credentials(key=f"token:{repository.pk}", token=repository.token())
    return Credentials(
        key=f"app:{repository.installation_id}",
        app_id=repository.app_id,
        private_key=repository.private_key(),
        installation_id=repository.installation_id,
    )


# --- load ----------------------------------------------------------------------------------


def review_request_open(
    repository: Repository,
    number: int,
    login: str,
    now: datetime,
    *,
    person: User | None = None,
    by_rota: bool = False,
    delivery: Delivery | None = None,
    author: str = "",
    components: list[int] | None = None,
) -> bool:
    """Count one open request (idempotent: an open one for the same person stays as it is)."""
    if person is None:
        person = users_by_login([login]).get(login.lower())
    try:
        with transaction.atomic():
            ReviewRequest.objects.create(
                repository=repository,
                pull_number=number,
                login=login,
                person=person,
                requested_at=now,
                by_rota=by_rota,
                delivery=delivery,
                pull_author=author,
                components=components or [],
            )
    except IntegrityError:
        return False
    return True


def review_request_record(
    repository: Repository,
    number: int,
    login: str,
    now: datetime,
    *,
    person: User | None,
    delivery: Delivery | None,
    author: str,
    components: list[int],
) -> None:
    """Count a request Rota itself made, in one query (an open one already counted stays)."""
    ReviewRequest.objects.bulk_create(
        [
            ReviewRequest(
                repository=repository,
                pull_number=number,
                login=login,
                person=person,
                requested_at=now,
                by_rota=True,
                delivery=delivery,
                pull_author=author,
                components=components,
            )
        ],
        ignore_conflicts=True,
    )


def review_requests_close(
    repository: Repository, number: int, state: str, now: datetime, login: str | None = None
) -> int:
    requests = ReviewRequest.objects.filter(
        repository=repository, pull_number=number, state=RequestState.OPEN
    )
    if login is not None:
        requests = requests.filter(login__iexact=login)
    return requests.update(state=state, closed_at=now)


def load_event_apply(delivery: Delivery, now: datetime) -> str:
    """Keep open review requests in step with GitHub's events."""
    payload, repository = delivery.payload, delivery.repository
    assert repository is not None
    if delivery.event == "pull_request_review":
        number = payload["pull_request"]["number"]
        login = (payload["review"].get("user") or {}).get("login", "")
        closed = review_requests_close(repository, number, RequestState.REVIEWED, now, login)
        return f"#{number}: review by {login} closed {closed} request(s)"
    number = payload["pull_request"]["number"]
    if delivery.action == "closed":
        closed = review_requests_close(repository, number, RequestState.CLOSED, now)
        return f"#{number} closed: {closed} open request(s) closed"
    reviewer = payload.get("requested_reviewer")
    if not reviewer:  # a team was requested or removed: it is nobody's personal load
        return f"#{number}: team request, no personal load"
    login = reviewer.get("login", "")
    if delivery.action == "review_requested":
        author = (payload["pull_request"].get("user") or {}).get("login", "")
        created = review_request_open(repository, number, login, now, author=author)
        return f"#{number}: {login} requested" + ("" if created else " (already counted)")
    removed = review_requests_close(repository, number, RequestState.REMOVED, now, login)
    return f"#{number}: {login} no longer requested ({removed} closed)"


# --- ownership imports ---------------------------------------------------------------------


class OwnershipRefused(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    rules: int
    components: int
    unmapped: list[str]


def ownership_import_codeowners(repository: Repository, text: str) -> ImportReport:
    """Replace the repository's rules with this CODEOWNERS file; any bad line refuses it."""
    return _import(repository, codeowners_parse(text), OwnershipSource.CODEOWNERS)


def ownership_import_prow(
    repository: Repository, files: dict[str, str], aliases_text: str = ""
) -> ImportReport:
    return _import(repository, prow_owners_parse(files, aliases_text), OwnershipSource.PROW)


def owners_to_people(owners: list[str]) -> tuple[set[User], list[str]]:
    """Map @login, @org/team and e-mail owners to volunteers; what matched nobody is listed."""
    people: set[User] = set()
    unmapped: list[str] = []
    logins = [o[1:] for o in owners if o.startswith("@") and "/" not in o]
    by_login = users_by_login(logins)
    for owner in owners:
        if owner.startswith("@") and "/" in owner:
            organisation, slug = owner[1:].split("/", 1)
            team = Team.objects.filter(organisation__iexact=organisation, slug__iexact=slug).first()
            members = list(team.members.all()) if team else []
            people.update(members)
            if not members:
                unmapped.append(owner)
        elif owner.startswith("@"):
            user = by_login.get(owner[1:].lower())
            if user:
                people.add(user)
            else:
                unmapped.append(owner)
        else:
            user = User.objects.filter(email__iexact=owner).first()
            if user:
                people.add(user)
            else:
                unmapped.append(owner)
    return people, unmapped


def _import(repository: Repository, parsed: ParseResult, source: str) -> ImportReport:
    if parsed.errors:
        raise OwnershipRefused(parsed.errors)
    unmapped: list[str] = []
    components: set[int] = set()
    with transaction.atomic():
        OwnershipRule.objects.filter(repository=repository).delete()
        for position, rule in enumerate(parsed.rules):
            people, missing = owners_to_people(list(rule.owners))
            unmapped += [m for m in missing if m not in unmapped]
            component, _ = Component.objects.get_or_create(
                repository=repository.full_name,
                name=rule.pattern[:100],
                defaults={"rota": repository.review_rota},
            )
            component.path_patterns = rule.pattern
            if component.rota_id is None:
                component.rota = repository.review_rota
            component.save()
            component.owners.set(people)
            components.add(component.pk)
            OwnershipRule.objects.create(
                repository=repository,
                position=position,
                pattern=rule.pattern,
                component=component,
                owners_text=" ".join(rule.owners),
                source=source,
                line=rule.line,
            )
    return ImportReport(len(parsed.rules), len(components), unmapped)


def not_assignable_mark(repository: Repository, login: str, reason: str, now: datetime) -> None:
    NotAssignable.objects.bulk_create(
        [NotAssignable(repository=repository, login=login, reason=reason[:500], created_at=now)],
        ignore_conflicts=True,
    )


# GitHub looks for CODEOWNERS in these places, first found wins.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


def codeowners_fetch(repository: Repository) -> str:
    from rota.github import client

    credentials = credentials_for(repository)
    for path in CODEOWNERS_PATHS:
        text = client.repository_file_get(credentials, repository.full_name, path)
        if text is not None:
            return text
    raise OwnershipRefused(["no CODEOWNERS in .github/, the root or docs/"])
