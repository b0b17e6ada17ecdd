"""Feed views: three calendar endpoints and the page that manages a person's feed links.

The calendar endpoints never touch the session or request.user, so a poll costs no session
query: the token (or the public rota's slug) is the only credential.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rota.feeds.forms import FeedPreferenceForm, FeedTokenCreateForm, FeedTokenRevokeForm
from rota.feeds.models import FeedKind, FeedPreference, FeedToken
from rota.feeds.selectors import (
    FeedDocument,
    feed_access_find,
    feed_public_rota,
    feed_rotas_for,
    feed_token_active,
    feed_tokens_for,
    feed_urls,
    personal_feed_document,
    public_feed_urls,
    rota_feed_document,
)
from rota.feeds.services import (
    feed_preference_set,
    feed_token_create,
    feed_token_revoke,
    feed_token_touch,
)

FEED_MAX_AGE = 15 * 60
# The new link's URLs travel from the create POST to the next GET in the session, once.
CREATED_SESSION_KEY = "feeds_created"


def _calendar_response(
    request: HttpRequest, document: FeedDocument, filename: str, private: bool
) -> HttpResponse:
    body = b"" if request.method == "HEAD" else document.body
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Length"] = str(len(document.body))
    response["ETag"] = document.etag
    if document.last_modified is not None:
        response["Last-Modified"] = http_date(int(document.last_modified))
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    visibility = "private" if private else "public"
    response["Cache-Control"] = f"{visibility}, max-age={FEED_MAX_AGE}"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
    # HTTP dates have whole seconds; the data's own instant keeps its fraction here, so an
    # If-Modified-Since in the same second as a later change is answered with the new feed
    # (a 200 too many now and then, never a 304 too many). If-None-Match, which calendar apps
    # send, is checked first and is exact.
    return (
        get_conditional_response(
            request,
            etag=document.etag,
            last_modified=document.last_modified,
            response=response,
        )
        or response
    )


@require_safe
def feed_personal(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    access = feed_access_find(token, now)
    if access is None or access.kind != FeedKind.PERSONAL:
        raise Http404("No such feed.")
    document = personal_feed_document(access, now)
    feed_token_touch(access, now)
    return _calendar_response(request, document, "my-duties.ics", private=True)


@require_safe
def feed_rota(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    now = timezone.now()
    access = feed_access_find(token, now)
    if (
        access is None
        or access.kind != FeedKind.ROTA
        or access.rota_slug != slug
        or not access.may_read
    ):
        raise Http404("No such feed.")
    document = rota_feed_document(
        access.rota_id, access.rota_plan_version, access.content, False, now
    )
    feed_token_touch(access, now)
    return _calendar_response(request, document, f"{slug}.ics", private=True)


@require_safe
def feed_public(request: HttpRequest, slug: str) -> HttpResponse:
    rota = feed_public_rota(slug)
    if rota is None:
        raise Http404("No such public feed.")
    document = rota_feed_document(*rota, public=True, now=timezone.now())
    return _calendar_response(request, document, f"{slug}.ics", private=False)


@never_cache  # the page shows a new link's secret once; no cache may keep it
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """List, create and revoke feed links; the plain token is shown once, after creation.

    A create redirects (303) to this page, which shows the new link from the session and
    forgets it: a refresh neither posts again (revoking the link just shown) nor shows it twice.
    """
    user = request.user
    now = timezone.now()
    created: dict[str, str] | None = None
    if request.method == "GET":
        created = request.session.pop(CREATED_SESSION_KEY, None)
    preference = FeedPreference.objects.filter(user=user).first() or FeedPreference(user=user)
    create_form = FeedTokenCreateForm(user=user)
    preference_form = FeedPreferenceForm(instance=preference)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            create_form = FeedTokenCreateForm(request.POST, user=user)
            if create_form.is_valid():
                kind, rota = create_form.cleaned_data["kind"], create_form.cleaned_data["rota"]
                # A new link revokes the one a calendar app may be polling: ask first.
                replacing = feed_token_active(user, kind, rota)
                if replacing is not None and request.POST.get("confirm") != "replace":
                    return _manage_page(request, user, create_form, preference_form, replacing)
                token, plain = feed_token_create(user, kind, rota, now)
                created = {**feed_urls(token, plain), "label": str(token.get_kind_display())}
                if token.rota:
                    created["label"] += f": {token.rota}"
                request.session[CREATED_SESSION_KEY] = created
                return _redirect_see_other("feeds:manage")
        elif action == "revoke":
            revoke_form = FeedTokenRevokeForm(request.POST)
            if revoke_form.is_valid() and feed_token_revoke(
                user, revoke_form.cleaned_data["token"], now
            ):
                messages.success(request, "The feed link is revoked; it no longer works.")
            return redirect("feeds:manage")
        elif action == "preference":
            preference_form = FeedPreferenceForm(request.POST, instance=preference)
            if preference_form.is_valid():
                feed_preference_set(user, preference_form.cleaned_data["reminder_minutes"])
                messages.success(request, "Your feed settings are saved.")
                return redirect("feeds:manage")
        else:
            return HttpResponse("Unknown action.", status=400)
    status = 400 if request.method == "POST" else 200
    return _manage_page(request, user, create_form, preference_form, None, created, status)


def _manage_page(
    request: HttpRequest,
    user: Any,
    create_form: FeedTokenCreateForm,
    preference_form: FeedPreferenceForm,
    replacing: FeedToken | None,
    created: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    rotas = list(feed_rotas_for(user).order_by("name"))
    tokens = list(feed_tokens_for(user))
    in_use = {(t.kind, t.rota_id) for t in tokens if t.is_active}
    context = {
        "created": created,
        "replacing": replacing,
        "tokens": tokens,
        "personal_in_use": (FeedKind.PERSONAL, None) in in_use,
        "rotas": [(r, (FeedKind.ROTA, r.pk) in in_use) for r in rotas],
        "public_rotas": [(r, public_feed_urls(r)) for r in rotas if r.is_public],
        "create_form": create_form,
        "preference_form": preference_form,
    }
    return render(request, "feeds/manage.html", context, status=status)


def _redirect_see_other(to: str) -> HttpResponseRedirect:
    """See Other: the browser follows a POST's redirect with a GET."""
    response = redirect(to)
    response.status_code = 303
    return response
