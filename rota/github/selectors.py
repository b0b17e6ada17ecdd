"""Reads for GitHub work: who is on duty, who owns what, load, and what managers see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Q
from django.db.models.functions import Lower

from accounts.models import User
from rota.github.models import (
    DecisionKind,
    Delivery,
    DeliveryStatus,
    NotAssignable,
    OwnershipRule,
    Repository,
    RequestState,
    ReviewDecision,
    ReviewRequest,
    TriageDigest,
)
from rota.github.ownership import owning_rule, pattern_matches
from rota.github.sealing import unseal
from rota.rotas.models import Assignment, Component, Rota
from rota.rotas.open_work import OpenWorkItem, OpenWorkSection
from rota.rotas.selectors import rotas_visible_to


def webhook_secrets() -> list[tuple[Repository, str]]:
    """(repository, webhook secret) of every repository that has one.

    Every delivery asks; a secret is opened once per process for each sealed text (a new
    secret is a new sealed text), not decrypted again for every delivery."""
    return [
        (repository, _opened(repository.webhook_secret_sealed))
        for repository in Repository.objects.exclude(webhook_secret_sealed="")
    ]


@lru_cache(maxsize=256)
def _opened(sealed: str) -> str:
    return unseal(sealed)


def repository_by_name(full_name: str) -> Repository | None:
    return Repository.objects.filter(full_name__iexact=full_name).first()


def on_duty_now(rota: Rota | None, now: datetime) -> list[Assignment]:
    """Active assignments of the rota's shift(s) running now, with their people."""
    if rota is None:
        return []
    return list(
        Assignment.objects.active()
        .filter(shift__rota=rota, shift__starts_at__lte=now, shift__ends_at__gt=now)
        .select_related("person", "shift")
        .order_by("person_id")
    )


def components_touched(repository: Repository, paths: Iterable[str]) -> list[Component]:
    """The components owning any of these paths: by the imported rules (last match wins) when
    the repository has some, else by every component whose patterns match."""
    paths = list(paths)
    rules = list(
        OwnershipRule.objects.filter(repository=repository).values_list("pattern", "component_id")
    )
    ids: set[int] = set()
    if rules:
        for path in paths:
            found = owning_rule(rules, path)
            if found is not None:
                ids.add(found)
        return list(Component.objects.filter(pk__in=ids).prefetch_related("owners"))
    components = Component.objects.filter(repository__iexact=repository.full_name).prefetch_related(
        "owners"
    )
    return [
        c for c in components if any(pattern_matches(p, path) for p in c.patterns for path in paths)
    ]


def open_requests_by_login(logins: Iterable[str]) -> dict[str, int]:
    """Open review requests per lower-cased login, across every repository."""
    lowered = [login.lower() for login in logins]
    rows = (
        ReviewRequest.objects.filter(state=RequestState.OPEN)
        .annotate(lower_login=Lower("login"))
        .filter(lower_login__in=lowered)
        .values("lower_login")
        .annotate(n=Count("id"))
    )
    return {row["lower_login"]: row["n"] for row in rows}


def open_requests_on(repository: Repository, number: int) -> list[ReviewRequest]:
    return list(
        ReviewRequest.objects.filter(
            repository=repository, pull_number=number, state=RequestState.OPEN
        )
    )


def not_assignable_logins(repository: Repository) -> set[str]:
    return {
        login.lower()
        for login in NotAssignable.objects.filter(repository=repository).values_list(
            "login", flat=True
        )
    }


def users_by_login(logins: Iterable[str]) -> dict[str, User]:
    lowered = {login.lower() for login in logins if login}
    return {
        user.github_login.lower(): user
        for user in User.objects.annotate(lower_login=Lower("github_login")).filter(
            lower_login__in=lowered
        )
    }


# --- pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentView:
    component: Component
    owners: list[str]
    contact: str
    contact_reason: str


def components_with_contacts(
    now: datetime, viewer: User | AnonymousUser
) -> list[tuple[str, list[ComponentView]]]:
    """Every component a viewer may see, grouped by repository, with its point of contact
    this week: the owner on review duty, else the owner who served least recently."""
    visible = rotas_visible_to(viewer)
    components = list(
        Component.objects.filter(Q(rota__isnull=True) | Q(rota__in=visible))
        .select_related("rota")
        .prefetch_related("owners")
        .order_by("repository", "name")
    )
    review_rota_of = {
        r.full_name.lower(): r.review_rota_id
        for r in Repository.objects.filter(review_rota__isnull=False)
    }
    rota_ids = {c.rota_id or review_rota_of.get(c.repository.lower()) for c in components}
    rota_ids.discard(None)
    on_duty: dict[int, set[int]] = defaultdict(set)
    for rota_id, person_id in (
        Assignment.objects.active()
        .filter(shift__rota_id__in=rota_ids, shift__starts_at__lte=now, shift__ends_at__gt=now)
        .values_list("shift__rota_id", "person_id")
    ):
        on_duty[rota_id].add(person_id)
    last_served: dict[tuple[int, int], datetime] = {
        (row["shift__rota_id"], row["person_id"]): row["last"]
        for row in Assignment.objects.active()
        .filter(shift__rota_id__in=rota_ids, shift__starts_at__lte=now)
        .values("shift__rota_id", "person_id")
        .annotate(last=Max("shift__starts_at"))
    }
    grouped: dict[str, list[ComponentView]] = defaultdict(list)
    for component in components:
        owners = sorted(component.owners.all(), key=lambda u: u.github_login.lower())
        rota_id = component.rota_id or review_rota_of.get(component.repository.lower())
        contact, reason = "", "no owners"
        if owners and rota_id:
            duty = [o for o in owners if o.pk in on_duty[rota_id]]
            if duty:
                contact, reason = _public(duty[0]), "on review duty now"
            else:
                never = datetime.min.replace(tzinfo=now.tzinfo)
                least = min(
                    owners,
                    key=lambda o: (last_served.get((rota_id, o.pk), never), o.github_login.lower()),
                )
                served = last_served.get((rota_id, least.pk))
                contact = _public(least)
                reason = (
                    f"served least recently ({served:%Y-%m-%d})" if served else "has not served yet"
                )
        elif owners:
            contact, reason = _public(owners[0]), "no review rota"
        grouped[component.repository].append(
            ComponentView(component, [_public(o) for o in owners], contact, reason)
        )
    return sorted(grouped.items())


def _public(user: User) -> str:
    # The login is public on GitHub (CODEOWNERS names it); the real name is not ours to show.
    return f"@{user.github_login}" if user.github_login else user.public_name


def managed_repositories(user: User) -> list[Repository]:
    repositories = Repository.objects.select_related("review_rota", "triage_rota")
    if user.is_staff:
        return list(repositories)
    return list(
        repositories.filter(
            Q(review_rota__managers=user) | Q(triage_rota__managers=user)
        ).distinct()
    )


def decisions_page(user: User, now: datetime) -> dict[str, Any]:
    managed = managed_repositories(user)
    return {
        "mine": list(ReviewDecision.objects.filter(person=user).select_related("repository")[:100]),
        "managed": managed,
        "decisions": list(
            ReviewDecision.objects.filter(repository__in=managed).select_related(
                "repository", "person"
            )[:200]
        ),
        "failed": list(
            Delivery.objects.filter(repository__in=managed, status=DeliveryStatus.FAILED)[:50]
        ),
        "digests": list(
            TriageDigest.objects.filter(repository__in=managed).select_related(
                "repository", "rota"
            )[:20]
        ),
        "now": now,
    }


def reviewer_troubles_for(rotas: list[Rota], *, most: int = 20) -> dict[str, Any]:
    """Failed deliveries, and pull requests GitHub refused a reviewer on or nobody could be
    requested for, of the repositories these rotas review or triage (for the dashboard)."""
    rota_ids = [r.pk for r in rotas]
    repositories = Repository.objects.filter(
        Q(review_rota_id__in=rota_ids) | Q(triage_rota_id__in=rota_ids)
    )
    return {
        "failed": list(
            Delivery.objects.filter(repository__in=repositories, status=DeliveryStatus.FAILED)
            .select_related("repository")
            .order_by("-received_at")[:most]
        ),
        "refused": list(
            ReviewDecision.objects.filter(
                repository__in=repositories,
                kind__in=[DecisionKind.REFUSED, DecisionKind.NOBODY],
            )
            .select_related("repository", "person")
            .order_by("-created_at")[:most]
        ),
    }


# A hand-off note lists this many items a section and sums up the rest.
HANDOFF_ITEMS = 10
# Pull requests nobody could be asked to review are looked for over the previous duty, at most
# this far back.
HANDOFF_LOOKBACK = timedelta(days=14)


def pull_url(full_name: str, number: int) -> str:
    return f"{settings.GITHUB_WEB_URL}/{full_name}/pull/{number}"


def _section(heading: str, rows: list[tuple[str, int, datetime, str]]) -> OpenWorkSection:
    items = [
        OpenWorkItem(f"{name}#{number}", pull_url(name, number), since, holder)
        for name, number, since, holder in rows[:HANDOFF_ITEMS]
    ]
    return OpenWorkSection(heading, items, more=max(0, len(rows) - HANDOFF_ITEMS))


def handoff_open_work(assignment: Assignment, now: datetime) -> list[OpenWorkSection]:
    """What the reviewer taking over should know of on the repositories their rota reviews:
    requests waiting on them, requests Rota made of earlier reviewers that are still open, and
    pull requests nobody could be asked to review during the previous duty."""
    shift = assignment.shift
    open_requests = ReviewRequest.objects.filter(
        state=RequestState.OPEN,
        repository__review_rota_id=shift.rota_id,
        repository__active=True,
    ).order_by("requested_at", "pk")
    theirs = [
        (r.repository.full_name, r.pull_number, r.requested_at, "")
        for r in open_requests.filter(person_id=assignment.person_id).select_related("repository")
    ]
    on_now = set(
        Assignment.objects.active().filter(shift_id=shift.pk).values_list("person_id", flat=True)
    )
    earlier = [
        (r.repository.full_name, r.pull_number, r.requested_at, _holder(r))
        for r in open_requests.filter(by_rota=True)
        .exclude(person_id__in=on_now)
        .select_related("repository", "person")
    ]
    since = max(shift.starts_at - (shift.ends_at - shift.starts_at), now - HANDOFF_LOOKBACK)
    unasked: dict[tuple[int, int], tuple[str, int, datetime, str]] = {}
    for decision in (
        ReviewDecision.objects.filter(
            repository__review_rota_id=shift.rota_id,
            repository__active=True,
            kind__in=[DecisionKind.NOBODY, DecisionKind.REFUSED],
            created_at__gte=since,
        )
        .select_related("repository")
        .order_by("created_at", "pk")
    ):
        key = (decision.repository_id, decision.pull_number)
        unasked.setdefault(
            key, (decision.repository.full_name, decision.pull_number, decision.created_at, "")
        )
    if unasked:  # asked of someone since, or closed: no longer waiting for a reviewer
        settled = ReviewRequest.objects.filter(
            Q(requested_at__gte=since) | Q(state=RequestState.CLOSED),
            repository_id__in={r for r, _ in unasked},
            pull_number__in={n for _, n in unasked},
        ).values_list("repository_id", "pull_number")
        for key in settled:
            unasked.pop(key, None)
    return [
        _section("Review requests waiting on you", theirs),
        _section("Still waiting on earlier reviewers", earlier),
        _section("Pull requests nobody could be asked to review", list(unasked.values())),
    ]


def _holder(request: ReviewRequest) -> str:
    return request.person.name if request.person else f"@{request.login}"
