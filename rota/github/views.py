"""GitHub's webhook and the public and managers' GitHub pages."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rota.github import selectors
from rota.github.services import delivery_store
from rota.github.signatures import signer_of


def _answer(code: int, message: str, **extra: object) -> JsonResponse:
    return JsonResponse({"message": message, **extra}, status=code)


@csrf_exempt  # authenticated by the HMAC signature instead
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """POST /github/webhook/: verify, store, answer 202 at once; a task does the work."""
    limit = settings.GITHUB_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _answer(400, "bad Content-Length")
    if declared > limit:
        return _answer(413, "deliveries over 25 MB are refused, as GitHub does")
    # Read the stream, not request.body: Django caps request.body far below GitHub's limit.
    body = request.read(limit + 1)
    if len(body) > limit:
        return _answer(413, "deliveries over 25 MB are refused, as GitHub does")
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header:
        return _answer(401, "X-Hub-Signature-256 is missing")
    repository = signer_of(selectors.webhook_secrets(), body, header)
    if repository is None:
        return _answer(401, "the signature does not match")
    delivery_id = request.headers.get("X-GitHub-Delivery", "").strip()
    event = request.headers.get("X-GitHub-Event", "").strip()
    if not delivery_id or not event or len(delivery_id) > 100 or len(event) > 60:
        return _answer(400, "X-GitHub-Delivery and X-GitHub-Event are required")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return _answer(400, "the body is not JSON")
    if not isinstance(payload, dict):
        return _answer(400, "the body is not a JSON object")
    stored = delivery_store(repository, delivery_id, event, payload, timezone.now())
    if stored.created:
        return _answer(202, "accepted", delivery=delivery_id, status=stored.status)
    return _answer(200, "already received", delivery=delivery_id, status=stored.status)


@require_GET
def components(request: HttpRequest) -> HttpResponse:
    """Public: every component, its owners and its point of contact this week."""
    now = timezone.now()
    return render(
        request,
        "github/components.html",
        {"repositories": selectors.components_with_contacts(now, request.user), "now": now},
    )


@login_required
@require_GET
def decisions(request: HttpRequest) -> HttpResponse:
    """The reviewer decisions about me; managers also see their repositories' decisions,
    failed deliveries and triage digests."""
    user = request.user
    return render(
        request,
        "github/decisions.html",
        selectors.decisions_page(user, timezone.now()),  # type: ignore[arg-type]
    )
