"""The rota list and schedules, and the rotas a contributor is in (join, pause, resume, leave)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rota.rotas import services
from rota.rotas.forms import RotaRolesForm
from rota.rotas.selectors import (
    memberships_of,
    rota_for_viewer,
    rota_schedule,
    rotas_joinable,
    rotas_visible_to,
)
from rota.rotas.views.page_changes import changes_keep_and_redirect, changes_pop
from rota.rotas.views.request_parsing import errors_onto, me_of, posted_id


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "rotas/home.html", {"rotas": rotas_visible_to(request.user)})


def rota_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rota = rota_for_viewer(slug, request.user)
    choice = request.GET.get("tz", "")
    if choice == "utc":
        zone, zone_label = "UTC", "UTC"
    elif choice == "rota":
        zone, zone_label = rota.handoff_zone, f"the rota's zone ({rota.handoff_zone})"
    elif request.user.is_authenticated:
        zone = me_of(request).time_zone
        zone_label, choice = f"your zone ({zone})", ""
    else:
        zone, zone_label, choice = "UTC", "UTC", "utc"
    now = timezone.now()
    context = {
        "rota": rota,
        "schedule": rota_schedule(rota, now, request.user),
        "zone": zone,
        "zone_label": zone_label,
        "tz_choice": choice,
        "now": now,
    }
    return render(request, "rotas/rota_detail.html", context)


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
    try:
        if action == "leave":
            changes = services.membership_leave(me, membership_id)
        else:
            changes = services.membership_pause(me, membership_id, paused=action == "pause")
    except PermissionDenied:
        raise Http404("No such membership.") from None
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
@require_POST
def membership_leave(request: HttpRequest) -> HttpResponse:
    return _membership_action(request, "leave")
