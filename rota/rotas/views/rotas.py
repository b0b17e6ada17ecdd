"""The rota list and schedules, and the rotas a contributor is in (join, pause, resume, leave)."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rota.read_cache import read_cached
from rota.rotas import services
from rota.rotas.forms import RotaRolesForm
from rota.rotas.models import Rota
from rota.rotas.selectors import (
    membership_of,
    memberships_of,
    public_rotas_stamp,
    rota_for_viewer,
    rota_schedule,
    rota_schedule_weeks_bounds,
    rota_shifts_planned_after,
    rotas_joinable,
    rotas_with_duty_now,
)
from rota.rotas.views.feedback import membership_changed_text
from rota.rotas.views.page_changes import changes_keep_and_redirect, changes_pop
from rota.rotas.views.request_parsing import errors_onto, me_of, posted_id, weeks_asked
from rota.rotas.views.viewer_zone import viewer_zone, viewer_zone_remember


def home(request: HttpRequest) -> HttpResponse:
    return _rota_list(request, "rotas/home.html")


def rota_list(request: HttpRequest) -> HttpResponse:
    return _rota_list(request, "rotas/rota_list.html")


def _rota_list(request: HttpRequest, template: str) -> HttpResponse:
    now = timezone.now()
    viewer = viewer_zone(request)
    key = None
    if _signed_out_plain_get(request):
        shown = read_cached(("public-rotas",), public_rotas_stamp)
        key = _page_key(f"list:{template}", now, [shown, viewer.zone, viewer.guessed])
        cached = _cache_get(key)
        if cached is not None:
            return HttpResponse(cached)
    context = {"rotas": rotas_with_duty_now(request.user, now), "viewer_zone": viewer, "now": now}
    response = render(request, template, context)
    if key:
        _cache_set(key, response.content)
    return response


def rota_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        rota = rota_for_viewer(slug, request.user)
    except Http404:
        # Anyone signed out is asked to log in for every slug that is not a public rota, so
        # the answer does not tell which private rotas exist; signed in, it stays a 404.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    viewer = viewer_zone(request, rota)
    default_weeks, most_weeks = rota_schedule_weeks_bounds(rota)
    weeks, weeks_problem = weeks_asked(
        request.GET.get("weeks"), default=default_weeks, most=most_weeks
    )
    now = timezone.now()
    key = _public_page_key(request, rota, viewer, weeks, weeks_problem, now)
    cached = _cache_get(key) if key else None
    if cached is not None:
        return viewer_zone_remember(request, HttpResponse(cached), viewer)
    context = {
        "rota": rota,
        "schedule": rota_schedule(rota, now, request.user, weeks=weeks),
        "viewer_zone": viewer,
        "zone": viewer.zone,
        "weeks": weeks,
        "most_weeks": most_weeks,
        "weeks_problem": weeks_problem,
        "more_shifts": rota_shifts_planned_after(rota, now + timedelta(weeks=weeks)),
        "now": now,
    }
    response = render(request, "rotas/rota_detail.html", context)
    if key:
        _cache_set(key, response.content)
    return viewer_zone_remember(request, response, viewer)


# A public rota page (and the rota list) is the same for every signed-out visitor reading it in
# one zone: kept for a few minutes under the plans' versions, so a schedule linked from a chat
# or a README costs a cache read. Anything that changes what it shows raises plan_version (or
# is in the key).
PUBLIC_PAGE_SECONDS = 300


def _signed_out_plain_get(request: HttpRequest) -> bool:
    return (
        not request.user.is_authenticated
        and request.method == "GET"
        and not len(get_messages(request))
    )


def _page_key(kind: str, now: Any, parts: list[Any]) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:24]
    bucket = int(now.timestamp()) // PUBLIC_PAGE_SECONDS  # "on duty now" moves with time
    return f"page:{kind}:{bucket}:{digest}"


def _public_page_key(
    request: HttpRequest, rota: Rota, viewer: Any, weeks: int, problem: str, now: Any
) -> str | None:
    if not _signed_out_plain_get(request):
        return None
    return _page_key(
        f"rota:{rota.pk}:{rota.plan_version}",
        now,
        [
            rota.name, rota.description, rota.kind, rota.is_public, rota.handoff_weekday,
            rota.handoff_time, rota.handoff_zone, viewer.zone, viewer.label, viewer.guessed,
            viewer.refused, [c.zone for c in viewer.choices], weeks, problem, request.get_host(),
        ],
    )  # fmt: skip


def _cache_get(key: str) -> bytes | None:
    try:
        return cache.get(key)  # type: ignore[no-any-return]
    except Exception:  # the cache being away never fails a page: render it
        return None


def _cache_set(key: str, content: bytes) -> None:
    with contextlib.suppress(Exception):
        cache.set(key, content, PUBLIC_PAGE_SECONDS)


@login_required
@require_http_methods(["GET", "POST"])
def my_rotas(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    rotas = rotas_joinable()
    current = {f"{m.rota_id}:{role}" for m in memberships_of(me) for role in m.roles}
    initial = {"roles": sorted(current)}
    if request.method == "POST":
        form = RotaRolesForm(request.POST, rotas=rotas, initial=initial)
        if form.is_valid():
            try:
                changes = services.contributor_rotas_save(me, form.wanted())
            except ValidationError as error:
                errors_onto(form, error)
            except PermissionDenied:
                raise Http404("No such rota.") from None
            else:
                return changes_keep_and_redirect(request, "my_rotas", changes)
        kept: dict[str, Any] = {"saved": False, "changes": None}
        status = 400
    else:
        form = RotaRolesForm(rotas=rotas, initial=initial)
        kept = changes_pop(request, "my_rotas")
        status = 200
    context = {"form": form, "memberships": memberships_of(me), "me": me, **kept}
    return render(request, "rotas/my_rotas.html", context, status=status)


def _membership_action(request: HttpRequest, action: str) -> HttpResponse:
    me = me_of(request)
    membership_id = posted_id(request)
    membership = membership_of(me, membership_id)
    if membership is None:
        raise Http404("No such membership.")
    rota = membership.rota
    try:
        if action == "leave":
            changes = services.membership_leave(me, membership_id)
        else:
            changes = services.membership_pause(me, membership_id, paused=action == "pause")
    except PermissionDenied:
        raise Http404("No such membership.") from None
    messages.success(request, membership_changed_text(rota, action))
    return changes_keep_and_redirect(request, "my_rotas", changes)


@login_required
@require_POST
def membership_pause(request: HttpRequest) -> HttpResponse:
    return _membership_action(request, "pause")


@login_required
@require_POST
def membership_resume(request: HttpRequest) -> HttpResponse:
    return _membership_action(request, "resume")


@login_required
@require_http_methods(["GET", "POST"])
def membership_leave(request: HttpRequest) -> HttpResponse:
    """Leaving asks first: the button on My rotas opens this page (GET), which posts."""
    if request.method == "POST":
        return _membership_action(request, "leave")
    membership = membership_of(me_of(request), posted_id(request))
    if membership is None:
        raise Http404("No such membership.")
    return render(request, "rotas/membership_leave.html", {"membership": membership})
