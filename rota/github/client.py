"""The GitHub REST API, through githubkit: one typed function per endpoint Rota calls.

Every call has a timeout (settings.GITHUB_TIMEOUT_SECONDS) and githubkit's own retries are off:
the task that calls decides what to retry, so a rate limit or an outage is handled once, by the
outbox's rescheduling, and never blocks a worker. Errors come out as three kinds:

- GitHubRateLimited: primary (x-ratelimit-remaining 0, wait until x-ratelimit-reset) or
  secondary (retry-after, or a 403/429 saying "secondary rate limit": at least a minute);
- GitHubUnavailable: 5xx, timeouts, connection errors (transient: retried with backoff);
- GitHubRefused: any other 4xx (permanent for this request; 422 means "not a collaborator"
  when requesting reviewers).

When a response says the budget is spent (x-ratelimit-remaining 0), the next calls with the
same credentials wait for x-ratelimit-reset without asking GitHub (a mark in the shared cache).
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from django.conf import settings
from django.core.cache import cache
from githubkit import AppAuthStrategy, GitHub
from githubkit.exception import RequestError, RequestFailed, RequestTimeout
from githubkit.response import Response

# https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files: at most 3,000 files.
MAX_PULL_REQUEST_FILES = 3000
FILES_PER_PAGE = 100
# https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api: "If you
# receive a secondary rate limit error ... wait for at least one minute before retrying."
SECONDARY_LIMIT_MIN_WAIT = 60.0

T = TypeVar("T")
logger = logging.getLogger(__name__)


class GitHubError(Exception):
    status: int = 0


class GitHubRateLimited(GitHubError):
    def __init__(self, message: str, retry_after: float, status: int = 403) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class GitHubUnavailable(GitHubError):
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class GitHubRefused(GitHubError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Credentials:
    """How to authenticate for one repository (secrets already unsealed)."""

    key: str  # names the rate-limit budget: "app:<installation>" or "token:<repository>"
    token: str = ""
    app_id: int | None = None
    private_key: str = ""
    installation_id: int | None = None


class _SharedTransport(httpx.BaseTransport):
    """One connection pool per process for every call. githubkit opens (and closes) an httpx
    client per request; without a shared transport each request would build a TLS context and
    a new connection, which cost more than the rest of a reviewer assignment together."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.inner = httpx.HTTPTransport(retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.inner.handle_request(request)

    def close(self) -> None:
        pass  # the pool outlives each client; it ends with the process


_transport: _SharedTransport | None = None


def _shared_transport() -> _SharedTransport:
    global _transport
    if _transport is None or _transport.pid != os.getpid():  # a forked worker gets its own
        _transport = _SharedTransport()
    return _transport


def _github(auth: Any) -> GitHub[Any]:
    return GitHub(
        auth,
        base_url=settings.GITHUB_API_URL,
        timeout=httpx.Timeout(settings.GITHUB_TIMEOUT_SECONDS),
        auto_retry=False,  # the task decides; see the module's docstring
        http_cache=False,
        user_agent="Rota (+https://github.com/rota)",
        follow_redirects=False,
        transport=_shared_transport(),
    )


def _pause_key(credentials: Credentials) -> str:
    return f"github:rate-limit-until:{credentials.key}"


def _cache_get(key: str) -> Any:
    # The cache is Redis in production; a Redis outage must not turn a GitHub call into a
    # failure: without the cache Rota only asks GitHub for a token or a budget it could reuse.
    try:
        return cache.get(key)
    except Exception:  # redis-py raises many kinds; all mean "no cached value"
        logger.warning("cache unavailable for %s", key)
        return None


def _cache_set(key: str, value: Any, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception:  # as in _cache_get
        logger.warning("cache unavailable for %s", key)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        message = str(body.get("message", ""))
        errors = body.get("errors")
        return f"{message} {errors}" if errors else message
    return str(body)[:300]


def _reset_wait(headers: httpx.Headers) -> float | None:
    reset = headers.get("x-ratelimit-reset")
    if reset is None or not reset.isdigit():
        return None
    return max(0.0, int(reset) - time.time())


def _call(credentials: Credentials, call: Callable[[], Response[Any, Any]]) -> httpx.Response:
    """Run one request, mapping githubkit's errors onto ours and remembering a spent budget."""
    paused_until = _cache_get(_pause_key(credentials))
    if paused_until and paused_until > time.time():
        raise GitHubRateLimited(
            "rate limit spent; waiting for x-ratelimit-reset", paused_until - time.time()
        )
    try:
        raw = call().raw_response
    except RequestFailed as exc:
        raw = exc.response.raw_response
    except RequestTimeout as exc:
        raise GitHubUnavailable(f"timed out: {exc.request.method} {exc.request.url}") from exc
    except RequestError as exc:
        raise GitHubUnavailable(f"{type(exc.exc).__name__}: {exc.exc}") from exc
    _remember_budget(credentials, raw.headers)
    if raw.status_code < 400:
        return raw
    message = _message(raw)
    retry_after = raw.headers.get("retry-after")
    if retry_after is not None and retry_after.isdigit():
        raise GitHubRateLimited(message, max(float(retry_after), 1.0), raw.status_code)
    if raw.status_code in (403, 429):
        if raw.headers.get("x-ratelimit-remaining") == "0":
            raise GitHubRateLimited(message, _reset_wait(raw.headers) or 60.0, raw.status_code)
        if "secondary rate limit" in message.lower() or raw.status_code == 429:
            raise GitHubRateLimited(message, SECONDARY_LIMIT_MIN_WAIT, raw.status_code)
    if raw.status_code >= 500:
        raise GitHubUnavailable(f"{raw.status_code}: {message}", raw.status_code)
    raise GitHubRefused(message, raw.status_code)


def _remember_budget(credentials: Credentials, headers: httpx.Headers) -> None:
    if headers.get("x-ratelimit-remaining") == "0":
        wait = _reset_wait(headers)
        if wait:
            _cache_set(_pause_key(credentials), time.time() + wait, int(wait) + 1)


def _client(credentials: Credentials) -> GitHub[Any]:
    if credentials.token:
        return _github(credentials.token)
    if credentials.app_id is None or credentials.installation_id is None:
        raise GitHubRefused("no credentials: set a token or the App's ids and key", 401)
    return _github(installation_token(credentials))


def installation_token(credentials: Credentials) -> str:
    """An installation access token, cached (shared by all processes) until shortly before
    it expires (GitHub gives them an hour)."""
    key = f"github:installation-token:{credentials.app_id}:{credentials.installation_id}"
    token = _cache_get(key)
    if token:
        return str(token)
    body = installation_token_create(credentials)
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    ttl = int((expires - datetime.now(UTC)).total_seconds()) - 120
    if ttl > 0:
        _cache_set(key, body["token"], ttl)
    return str(body["token"])


def installation_token_create(credentials: Credentials) -> dict[str, Any]:
    """POST /app/installations/{installation_id}/access_tokens
    https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app"""
    assert credentials.app_id is not None and credentials.installation_id is not None
    github = _github(AppAuthStrategy(credentials.app_id, credentials.private_key))
    installation_id = credentials.installation_id
    raw = _call(
        credentials,
        lambda: github.rest.apps.create_installation_access_token(installation_id),
    )
    body: dict[str, Any] = raw.json()
    return body


def pull_request_files_list(credentials: Credentials, full_name: str, number: int) -> list[str]:
    """The changed files' paths, every page up to GitHub's 3,000.
    GET /repos/{owner}/{repo}/pulls/{pull_number}/files
    https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files"""
    owner, repo = full_name.split("/", 1)
    github = _client(credentials)
    paths: list[str] = []
    for page in range(1, MAX_PULL_REQUEST_FILES // FILES_PER_PAGE + 1):
        raw = _call(
            credentials,
            lambda page=page: github.rest.pulls.list_files(  # type: ignore[misc]
                owner, repo, number, per_page=FILES_PER_PAGE, page=page
            ),
        )
        entries = raw.json()
        paths += [entry["filename"] for entry in entries if isinstance(entry, dict)]
        if len(entries) < FILES_PER_PAGE:
            break
    return paths


def pull_request_reviewers_request(
    credentials: Credentials,
    full_name: str,
    number: int,
    *,
    reviewers: list[str] | None = None,
    team_reviewers: list[str] | None = None,
) -> None:
    """POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers
    https://docs.github.com/en/rest/pulls/review-requests#request-reviewers-for-a-pull-request
    A 422 means a login is not a collaborator (or the author)."""
    owner, repo = full_name.split("/", 1)
    github = _client(credentials)
    data: dict[str, list[str]] = {}
    if reviewers:
        data["reviewers"] = reviewers
    if team_reviewers:
        data["team_reviewers"] = team_reviewers
    _call(
        credentials,
        lambda: github.rest.pulls.request_reviewers(owner, repo, number, data=data),  # type: ignore[arg-type]
    )


def pull_request_reviewers_remove(
    credentials: Credentials, full_name: str, number: int, reviewers: list[str]
) -> None:
    """DELETE /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers
    https://docs.github.com/en/rest/pulls/review-requests#remove-requested-reviewers-from-a-pull-request"""
    owner, repo = full_name.split("/", 1)
    github = _client(credentials)
    _call(
        credentials,
        lambda: github.rest.pulls.remove_requested_reviewers(
            owner, repo, number, reviewers=reviewers
        ),
    )


def issues_search(credentials: Credentials, query: str, limit: int = 100) -> list[dict[str, Any]]:
    """GET /search/issues (first page, newest first)
    https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests"""
    github = _client(credentials)
    raw = _call(
        credentials,
        lambda: github.rest.search.issues_and_pull_requests(
            q=query, sort="created", order="desc", per_page=min(limit, 100)
        ),
    )
    items: list[dict[str, Any]] = raw.json().get("items", [])
    return items


def repository_file_get(credentials: Credentials, full_name: str, path: str) -> str | None:
    """A file's text from the default branch, None when there is no such file.
    GET /repos/{owner}/{repo}/contents/{path}
    https://docs.github.com/en/rest/repos/contents#get-repository-content"""
    owner, repo = full_name.split("/", 1)
    github = _client(credentials)
    try:
        raw = _call(credentials, lambda: github.rest.repos.get_content(owner, repo, path))
    except GitHubRefused as exc:
        if exc.status == 404:
            return None
        raise
    body = raw.json()
    if not isinstance(body, dict) or body.get("type") != "file":
        return None
    return base64.b64decode(body.get("content", "")).decode("utf-8", errors="replace")
