"""Pages of the rota domain: the rota list and schedules, and a contributor's own pages
(sign-up, availability, duties, rotas, swaps).

Sign-up and availability live here rather than in accounts because they join rotas and
re-plan them, and accounts knows nothing of rota. Every view parses input with a form, calls one
service or selector and renders; permission checks are in the services (PermissionDenied).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import (
    ProfileForm,
    SignupForm,
    TimeOffForm,
    WorkingHoursFormSet,
    time_zone_names,
    working_hours_initial,
)
from accounts.models import User
from accounts.selectors import country_zones_map, time_off_upcoming_for, working_windows_for
from rota.rotas import services
from rota.rotas.forms import IdForm, RotaRolesForm, SwapRequestForm
from rota.rotas.selectors import (
    assignments_swappable_by,
    duties_for_person,
    members_eligible_for,
    memberships_of,
    rota_for_viewer,
    rota_schedule,
    rotas_joinable,
    rotas_visible_to,
    swap_requests_by,
    swap_requests_open_for,
)


def _errors_onto(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _zone_picker() -> dict[str, Any]:
    return {"time_zones": time_zone_names(), "country_zones": country_zones_map()}


def _posted_id(request: HttpRequest) -> int:
    form = IdForm(request.POST)
    if not form.is_valid():
        raise Http404("No such item.")
    return int(form.cleaned_data["id"])


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# Post/Redirect/Get: a successful save keeps "what changed in your upcoming duties" in the
# session and answers 303, so refreshing the page it lands on does not post the form again.
CHANGES_SESSION_KEY = "rota.changes"


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _changes_keep_and_redirect(
    request: HttpRequest, page: str, changes: list[dict[str, Any]] | None
) -> HttpResponse:
    """Keep the change list for the next GET of `page` and redirect there.

    None means the re-plan could not run (the page says so), hence the wrapping dict. The
    session is JSON, so each change's datetime travels as an ISO string.
    """
    request.session[CHANGES_SESSION_KEY] = {
        "page": page,
        "changes": None
        if changes is None
        else [{**c, "starts_at": c["starts_at"].isoformat()} for c in changes],
    }
    return HttpResponseSeeOther(reverse(page))


def _changes_pop(request: HttpRequest, page: str) -> dict[str, Any]:
    """The template context for the change list kept for `page`: shown once, then gone."""
    kept = request.session.pop(CHANGES_SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("page") != page:
        return {"saved": False, "changes": None}
    changes = kept.get("changes")
    if changes is not None:
        changes = [{**c, "starts_at": datetime.fromisoformat(c["starts_at"])} for c in changes]
    return {"saved": True, "changes": changes}


# --- public pages ----------------------------------------------------------------------------


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
        zone = _me(request).time_zone
        zone_label, choice = f"your zone ({zone})", ""
    else:
        zone, zone_label, choice = "UTC", "UTC", "utc"
    now = timezone.now()
    context = {
        "rota": rota,
        "schedule": rota_schedule(rota, now),
        "zone": zone,
        "zone_label": zone_label,
        "tz_choice": choice,
        "now": now,
    }
    return render(request, "rotas/rota_detail.html", context)


# --- sign-up and availability ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("duties")
    rotas = rotas_joinable()
    data = request.POST if request.method == "POST" else None
    form = SignupForm(data)
    hours = WorkingHoursFormSet(data, initial=working_hours_initial(), prefix="hours")
    roles = RotaRolesForm(data, rotas=rotas)
    if data is not None and form.is_valid() and hours.is_valid() and roles.is_valid():
        try:
            user = services.contributor_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                profile=form.profile_fields(),
                windows=hours.windows(),
                roles=roles.wanted(),
            )
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("duties")
    context = {"form": form, "hours": hours, "roles": roles, **_zone_picker()}
    return render(request, "accounts/signup.html", context, status=400 if data is not None else 200)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    initial_hours = working_hours_initial(working_windows_for(me))
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=me.pk))
        hours = WorkingHoursFormSet(request.POST, initial=initial_hours, prefix="hours")
        if form.is_valid() and hours.is_valid():
            try:
                changes = services.contributor_availability_save(
                    me, profile=form.changed_profile(), windows=hours.windows()
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                return _changes_keep_and_redirect(request, "profile", changes)
        context = {"form": form, "hours": hours, "saved": False, "changes": None}
        status = 400
    else:
        form = ProfileForm(instance=me)
        hours = WorkingHoursFormSet(initial=initial_hours, prefix="hours")
        context = {"form": form, "hours": hours, **_changes_pop(request, "profile")}
        status = 200
    return render(request, "accounts/profile.html", {**context, **_zone_picker()}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def time_off(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        form = TimeOffForm(request.POST)
        if form.is_valid():
            try:
                changes = services.contributor_time_off_add(
                    me,
                    form.cleaned_data["start"],
                    form.cleaned_data["end"],
                    form.cleaned_data["note"],
                )
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                return _changes_keep_and_redirect(request, "time_off", changes)
        kept: dict[str, Any] = {"saved": False, "changes": None}
        status = 400
    else:
        form = TimeOffForm()
        kept = _changes_pop(request, "time_off")
        status = 200
    context = {
        "form": form,
        "entries": time_off_upcoming_for(me, timezone.now().date()),
        "me": me,
        **kept,
    }
    return render(request, "accounts/time_off.html", context, status=status)


@login_required
@require_POST
def time_off_remove(request: HttpRequest) -> HttpResponse:
    try:
        changes = services.contributor_time_off_remove(_me(request), _posted_id(request))
    except PermissionDenied:
        raise Http404("No such time off.") from None
    return _changes_keep_and_redirect(request, "time_off", changes)


# --- duties and rotas ------------------------------------------------------------------------


@login_required
def duties(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    context = {"me": me, **duties_for_person(me, timezone.now())}
    return render(request, "rotas/duties.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_rotas(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    rotas = rotas_joinable()
    current = {f"{m.rota_id}:{role}" for m in memberships_of(me) for role in m.roles}
    initial = {"roles": sorted(current)}
    if request.method == "POST":
        form = RotaRolesForm(request.POST, rotas=rotas, initial=initial)
        if form.is_valid():
            try:
                services.memberships_join(me, form.wanted())
            except ValidationError as error:
                _errors_onto(form, error)
            except PermissionDenied:
                raise Http404("No such rota.") from None
            else:
                changes = services.person_replan(me, trigger="membership")
                return _changes_keep_and_redirect(request, "my_rotas", changes)
        kept: dict[str, Any] = {"saved": False, "changes": None}
        status = 400
    else:
        form = RotaRolesForm(rotas=rotas, initial=initial)
        kept = _changes_pop(request, "my_rotas")
        status = 200
    context = {"form": form, "memberships": memberships_of(me), "me": me, **kept}
    return render(request, "rotas/my_rotas.html", context, status=status)


def _membership_action(request: HttpRequest, action: str) -> HttpResponse:
    me = _me(request)
    membership_id = _posted_id(request)
    try:
        if action == "leave":
            changes = services.membership_leave(me, membership_id)
        else:
            changes = services.membership_pause(me, membership_id, paused=action == "pause")
    except PermissionDenied:
        raise Http404("No such membership.") from None
    return _changes_keep_and_redirect(request, "my_rotas", changes)


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


# --- swaps -----------------------------------------------------------------------------------


@login_required
def swaps(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    now = timezone.now()
    context = {
        "me": me,
        "open_for_me": swap_requests_open_for(me, now),
        "mine": swap_requests_by(me),
    }
    return render(request, "rotas/swaps.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def swap_new(request: HttpRequest) -> HttpResponse:
    """Ask for a swap. The people who can be named depend on the duty, so choosing a duty
    (the "Choose" button, pressed by rota.js when the select changes) re-renders the form with
    that duty's eligible people instead of asking."""
    me = _me(request)
    duties_list = list(assignments_swappable_by(me, timezone.now()))
    source = request.POST if request.method == "POST" else request.GET
    if "duty" in source:
        chosen = next((a for a in duties_list if str(a.pk) == source["duty"]), None)
    else:
        # The select shows the first duty as picked; list the people for that one.
        chosen = duties_list[0] if duties_list else None
    candidates = members_eligible_for(chosen) if chosen else []
    form_kwargs = {"duties": duties_list, "candidates": candidates, "zone": me.time_zone}
    if request.method == "POST" and "choose" not in request.POST:
        form = SwapRequestForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.swap_request_create(
                    me,
                    form.cleaned_data["duty"],
                    target_id=form.cleaned_data["target"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                _errors_onto(form, error)
            except PermissionDenied:
                form.add_error("duty", "Choose one of your own duties.")
            else:
                return redirect("swaps")
        status = 400
    else:
        initial = {"duty": chosen.pk if chosen else None, "message": source.get("message", "")}
        form = SwapRequestForm(initial=initial, **form_kwargs)
        status = 200
    context = {"form": form, "chosen": chosen, "me": me}
    return render(request, "rotas/swap_new.html", context, status=status)


@login_required
@require_POST
def swap_take(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    swap_id = _posted_id(request)
    try:
        services.swap_request_accept(me, swap_id)
    except PermissionDenied:
        raise Http404("No such swap request.") from None
    except ValidationError as error:
        context = {
            "me": me,
            "open_for_me": swap_requests_open_for(me, timezone.now()),
            "mine": swap_requests_by(me),
            "take_errors": error.messages,
            "failed_id": swap_id,
        }
        return render(request, "rotas/swaps.html", context, status=409)
    return redirect("duties")


@login_required
@require_POST
def swap_withdraw(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    try:
        services.swap_request_withdraw(me, _posted_id(request))
    except PermissionDenied:
        raise Http404("No such swap request.") from None
    except ValidationError as error:
        context = {
            "me": me,
            "open_for_me": swap_requests_open_for(me, timezone.now()),
            "mine": swap_requests_by(me),
            "take_errors": error.messages,
        }
        return render(request, "rotas/swaps.html", context, status=409)
    return redirect("swaps")
