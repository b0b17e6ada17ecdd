"""Choosing and requesting reviewers for a pull request.

Who: people on review duty now for the repository, owners of the touched components first,
then those in their working hours now (or starting soonest), then the least loaded. Never the
author, someone already requested, someone GitHub refused here (422) or someone at the cap of
open requests. When nobody on duty qualifies: owners of the touched components who are in
working hours now, then the repository's fallback team. Every choice and every pass-over is
stored with its reason.

Reviewers are requested one at a time, so a 422 (not a collaborator) names the person it is
about; each success is recorded at once, so a retry after a crash or a rate limit continues
where it stopped instead of asking anyone twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts.models import User
from accounts.selectors import availability_for_users
from rota.github import client
from rota.github.client import GitHubRateLimited, GitHubRefused, GitHubUnavailable
from rota.github.models import (
    GITHUB_MAX_REVIEWERS,
    DecisionKind,
    Delivery,
    Repository,
    RequestState,
    ReviewDecision,
    ReviewRequest,
)
from rota.github.selectors import (
    components_touched,
    not_assignable_logins,
    on_duty_now,
    open_requests_by_login,
    open_requests_on,
)
from rota.github.services import (
    credentials_for,
    not_assignable_mark,
    review_request_record,
)
from rota.github.working_time import minutes_until_working, working_intervals, working_seconds
from rota.rotas.models import Component

LOOKAHEAD = timedelta(days=8)


@dataclass(frozen=True)
class Candidate:
    person: User
    login: str
    owns: tuple[str, ...]
    minutes_to_work: int | None
    load: int
    on_duty: bool

    def rank(self) -> tuple[int, int, int, str]:
        return (
            0 if self.owns else 1,
            self.minutes_to_work if self.minutes_to_work is not None else 10**9,
            self.load,
            self.login.lower(),
        )

    def reason(self, cap: int) -> str:
        parts = ["on review duty now" if self.on_duty else "owner, as nobody on duty qualified"]
        if self.owns:
            parts.append("owns " + ", ".join(self.owns))
        if self.minutes_to_work == 0:
            parts.append("in working hours now")
        elif self.minutes_to_work is None:
            parts.append("no working hours known in the next week")
        else:
            hours, minutes = divmod(self.minutes_to_work, 60)
            parts.append(f"working hours start in {hours} h {minutes:02d} min")
        parts.append(f"{self.load} of {cap} open review requests")
        return "; ".join(parts)


@dataclass
class PullRequest:
    number: int
    author: str
    requested: set[str]  # lower-cased logins already requested


def pull_request_from(payload: dict[str, Any]) -> PullRequest:
    pr = payload["pull_request"]
    return PullRequest(
        number=int(pr["number"]),
        author=(pr.get("user") or {}).get("login", ""),
        requested={
            r["login"].lower() for r in pr.get("requested_reviewers") or [] if r.get("login")
        },
    )


def candidates_for(
    people: list[User],
    touched: list[Component],
    now: datetime,
    *,
    on_duty: bool,
) -> list[Candidate]:
    availability = availability_for_users([p.pk for p in people], now, now + LOOKAHEAD)
    loads = open_requests_by_login([p.github_login for p in people])
    owners: dict[int, list[str]] = {}
    for component in touched:
        for owner in component.owners.all():
            owners.setdefault(owner.pk, []).append(component.name)
    found = []
    for person in people:
        av = availability.get(person.pk)
        minutes = None
        if av is not None and not av.problem:
            intervals = working_intervals(
                av.windows, av.time_zone, av.unavailable, now, now + LOOKAHEAD
            )
            minutes = minutes_until_working(intervals, now)
        found.append(
            Candidate(
                person=person,
                login=person.github_login,
                owns=tuple(sorted(set(owners.get(person.pk, [])))),
                minutes_to_work=minutes,
                load=loads.get(person.github_login.lower(), 0),
                on_duty=on_duty,
            )
        )
    return sorted(found, key=Candidate.rank)


class Decider:
    """One pull request's choices, written down as they are made."""

    def __init__(
        self, repository: Repository, pr: PullRequest, delivery: Delivery | None, now: datetime
    ) -> None:
        self.repository, self.pr, self.delivery, self.now = repository, pr, delivery, now
        self.requested: list[str] = []
        self.notes: list[ReviewDecision] = []

    def note(self, kind: str, reason: str, login: str = "", person: User | None = None) -> None:
        self.notes.append(
            ReviewDecision(
                repository=self.repository,
                pull_number=self.pr.number,
                delivery=self.delivery,
                kind=kind,
                login=login,
                person=person,
                reason=reason,
                created_at=self.now,
            )
        )

    def flush(self) -> None:
        """Write the decisions in one query; called however the run ends, so a rate limit
        half-way still leaves the reasons for what was done."""
        ReviewDecision.objects.bulk_create(self.notes)
        self.notes = []

    def excluded(self, candidate: Candidate, refused: set[str]) -> str:
        login = candidate.login.lower()
        if not login:
            return "has no GitHub login"
        if login == self.pr.author.lower():
            return "is the author"
        if login in self.pr.requested:
            return "already requested"
        if login in refused:
            return "GitHub refused them here before (not a collaborator)"
        if candidate.load >= self.repository.open_requests_cap:
            return f"at the cap of {self.repository.open_requests_cap} open review requests"
        return ""

    def request(
        self,
        candidate: Candidate,
        components: list[int],
        refused: set[str],
        kind: str = DecisionKind.REQUESTED,
        why: str = "",
    ) -> bool:
        """Ask GitHub for one reviewer; False (and remembered) when GitHub refuses them."""
        try:
            client.pull_request_reviewers_request(
                credentials_for(self.repository),
                self.repository.full_name,
                self.pr.number,
                reviewers=[candidate.login],
            )
        except GitHubRefused as exc:
            if exc.status != 422:
                raise
            not_assignable_mark(self.repository, candidate.login, str(exc), self.now)
            refused.add(candidate.login.lower())
            self.note(
                DecisionKind.REFUSED,
                f"GitHub answered 422: {exc}",
                candidate.login,
                candidate.person,
            )
            return False
        # Written at once, before the next request: a retry after a crash or a rate limit
        # sees this person as requested and does not ask again.
        review_request_record(
            self.repository,
            self.pr.number,
            candidate.login,
            self.now,
            person=candidate.person,
            delivery=self.delivery,
            author=self.pr.author,
            components=components,
        )
        self.pr.requested.add(candidate.login.lower())
        self.requested.append(candidate.login)
        self.note(
            kind,
            why + candidate.reason(self.repository.open_requests_cap),
            candidate.login,
            candidate.person,
        )
        return True


def reviewers_assign(delivery: Delivery, now: datetime) -> str:
    """Handle a pull request opened, reopened or ready for review."""
    repository, payload = delivery.repository, delivery.payload
    assert repository is not None
    pr = pull_request_from(payload)
    if payload["pull_request"].get("draft"):
        return f"#{pr.number} is a draft: nobody requested"
    # Requests this delivery (or an earlier one) already made count as made.
    pr.requested |= {r.login.lower() for r in open_requests_on(repository, pr.number)}
    wanted = min(
        repository.reviewers_per_pull_request - len(pr.requested),
        GITHUB_MAX_REVIEWERS - len(pr.requested),
    )
    if wanted <= 0:
        return f"#{pr.number} already has {len(pr.requested)} reviewer(s) requested"
    paths = client.pull_request_files_list(
        credentials_for(repository), repository.full_name, pr.number
    )
    touched = components_touched(repository, paths)
    component_ids = [c.pk for c in touched]
    decider = Decider(repository, pr, delivery, now)
    try:
        return _assign(decider, touched, component_ids, wanted)
    finally:
        decider.flush()


def _assign(
    decider: Decider, touched: list[Component], component_ids: list[int], wanted: int
) -> str:
    repository, pr, now = decider.repository, decider.pr, decider.now
    refused = not_assignable_logins(repository)

    duty_people = [a.person for a in on_duty_now(repository.review_rota, now)]
    picked = _request_from(
        decider,
        candidates_for(duty_people, touched, now, on_duty=True),
        wanted,
        component_ids,
        refused,
    )
    if picked == 0:
        owners = list({o for c in touched for o in c.owners.all()})
        in_hours = [
            c for c in candidates_for(owners, touched, now, on_duty=False) if c.minutes_to_work == 0
        ]
        picked = _request_from(decider, in_hours, wanted, component_ids, refused)
    if picked == 0:
        if repository.fallback_team:
            client.pull_request_reviewers_request(
                credentials_for(repository),
                repository.full_name,
                pr.number,
                team_reviewers=[repository.fallback_team],
            )
            decider.note(
                DecisionKind.TEAM,
                "nobody on duty and no owner in working hours could review",
                repository.fallback_team,
            )
            return f"#{pr.number}: requested team {repository.fallback_team}"
        decider.note(DecisionKind.NOBODY, "nobody on duty, no owner in working hours, no team")
        return f"#{pr.number}: nobody to request"
    touched_names = ", ".join(c.name for c in touched) or "no component"
    return f"#{pr.number} ({touched_names}): requested {', '.join(decider.requested)}"


def _request_from(
    decider: Decider,
    candidates: list[Candidate],
    wanted: int,
    components: list[int],
    refused: set[str],
    kind: str = DecisionKind.REQUESTED,
    why: str = "",
) -> int:
    picked = 0
    for candidate in candidates:
        if picked >= wanted:
            break
        why_not = decider.excluded(candidate, refused)
        if why_not:
            decider.note(DecisionKind.SKIPPED, why_not, candidate.login, candidate.person)
            continue
        if decider.request(candidate, components, refused, kind, why):
            picked += 1
    return picked


# --- silent reviewers ----------------------------------------------------------------------


def silent_reviewers_follow_up(now: datetime) -> str:
    """Follow each reviewer Rota asked who has not reviewed after N of their own working
    hours with the next candidate, at most the repository's number of times per pull request.
    Each request is claimed (followed_up_at) before GitHub is asked, so two runs never follow
    the same one up twice; a transient GitHub error releases the claim for the next run."""
    due = (
        ReviewRequest.objects.filter(
            state=RequestState.OPEN,
            by_rota=True,
            followed_up_at__isnull=True,
            repository__active=True,
            person__isnull=False,
        )
        .select_related("repository", "person")
        .order_by("requested_at")
    )
    followed = 0
    for request in due:
        repository = request.repository
        hours = repository.silent_after_working_hours
        if request.requested_at > now - timedelta(hours=hours):
            continue  # not even that many hours on the wall clock
        assert request.person is not None
        av = availability_for_users([request.person.pk], request.requested_at, now).get(
            request.person.pk
        )
        if av is None or av.problem:
            continue
        worked = working_seconds(
            working_intervals(av.windows, av.time_zone, av.unavailable, request.requested_at, now)
        )
        if worked < hours * 3600:
            continue
        if not ReviewRequest.objects.filter(pk=request.pk, followed_up_at__isnull=True).update(
            followed_up_at=now
        ):
            continue
        try:
            followed += _follow_up(request, hours, now)
        except (GitHubRateLimited, GitHubUnavailable):
            ReviewRequest.objects.filter(pk=request.pk).update(followed_up_at=None)
            break  # GitHub is limiting or away: the next run goes on
    return f"followed up {followed} silent reviewer(s)"


def _follow_up(request: ReviewRequest, hours: int, now: datetime) -> int:
    repository = request.repository
    done = ReviewDecision.objects.filter(
        repository=repository, pull_number=request.pull_number, kind=DecisionKind.FOLLOW_UP
    ).count()
    pr = PullRequest(
        number=request.pull_number,
        author=request.pull_author,
        requested={r.login.lower() for r in open_requests_on(repository, request.pull_number)},
    )
    decider = Decider(repository, pr, None, now)
    try:
        return _follow_up_with(decider, request, hours, done)
    finally:
        decider.flush()


def _follow_up_with(decider: Decider, request: ReviewRequest, hours: int, done: int) -> int:
    repository, now = decider.repository, decider.now
    if done >= repository.silent_max_follow_ups:
        decider.note(
            DecisionKind.NOBODY,
            f"{request.login} is silent, but this pull request had its "
            f"{repository.silent_max_follow_ups} follow-up(s) already",
            request.login,
            request.person,
        )
        return 0
    touched = list(
        Component.objects.filter(pk__in=request.components or []).prefetch_related("owners")
    )
    refused = not_assignable_logins(repository)
    why = f"follows up {request.login}, silent after {hours} of their working hours; "
    duty = [a.person for a in on_duty_now(repository.review_rota, now)]
    picked = _request_from(
        decider,
        candidates_for(duty, touched, now, on_duty=True),
        1,
        request.components or [],
        refused,
        DecisionKind.FOLLOW_UP,
        why,
    )
    if picked == 0:
        owners = list({o for c in touched for o in c.owners.all()})
        in_hours = [
            c for c in candidates_for(owners, touched, now, on_duty=False) if c.minutes_to_work == 0
        ]
        picked = _request_from(
            decider, in_hours, 1, request.components or [], refused, DecisionKind.FOLLOW_UP, why
        )
    if picked == 0:
        decider.note(DecisionKind.NOBODY, f"nobody to follow up silent {request.login}")
        return 0
    if not repository.silent_keep_first:
        client.pull_request_reviewers_remove(
            credentials_for(repository), repository.full_name, request.pull_number, [request.login]
        )
        ReviewRequest.objects.filter(pk=request.pk).update(
            state=RequestState.REMOVED, closed_at=now
        )
        decider.note(
            DecisionKind.REMOVED,
            f"silent after {hours} of their working hours; followed up by "
            + ", ".join(decider.requested),
            request.login,
            request.person,
        )
    return 1
