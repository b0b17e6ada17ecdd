"""A contributor's sign-up, profile and working hours, and time off.

They live in the rota domain rather than in accounts because they join rotas and re-plan them,
and accounts knows nothing of rota. A successful save redirects (303) to the page, which shows
what changed in the person's upcoming duties once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services as account_services
from accounts.forms import (
    ProfileForm,
    SignupForm,
    TimeOffForm,
    WorkingHoursFormSet,
    time_zone_names,
    working_hours_initial,
)
from accounts.models import User
from accounts.selectors import (
    api_tokens_for,
    country_zones_map,
    time_off_upcoming_for,
    user_local_now,
    working_windows_for,
)
from rota.rotas import services
from rota.rotas.forms import RotaRolesForm
from rota.rotas.selectors import memberships_of, rotas_joinable
from rota.rotas.views.feedback import signed_up_text
from rota.rotas.views.page_changes import changes_keep_and_redirect, changes_pop
from rota.rotas.views.request_parsing import errors_onto, me_of, posted_id


def zone_picker() -> dict[str, Any]:
    return {"time_zones": time_zone_names(), "country_zones": country_zones_map()}


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
            errors_onto(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            joined = [f"{m.rota.name} ({', '.join(m.roles)})" for m in memberships_of(user)]
            messages.success(request, signed_up_text(user, joined))
            return redirect("duties")
    context = {"form": form, "hours": hours, "roles": roles, **zone_picker()}
    return render(request, "accounts/signup.html", context, status=400 if data is not None else 200)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
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
                errors_onto(form, error)
            else:
                return changes_keep_and_redirect(request, "profile", changes)
        context = {"form": form, "hours": hours, "saved": False, "changes": None}
        status = 400
    else:
        form = ProfileForm(instance=me)
        hours = WorkingHoursFormSet(initial=initial_hours, prefix="hours")
        context = {"form": form, "hours": hours, **changes_pop(request, "profile")}
        context["api_tokens"] = api_tokens_for(me)
        status = 200
    return render(request, "accounts/profile.html", {**context, **zone_picker()}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def time_off(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    today = user_local_now(me, timezone.now()).date()
    if request.method == "POST":
        form = TimeOffForm(request.POST, today=today)
        if form.is_valid():
            try:
                changes = services.contributor_time_off_add(
                    me,
                    form.cleaned_data["start"],
                    form.cleaned_data["end"],
                    form.cleaned_data["note"],
                )
            except ValidationError as error:
                errors_onto(form, error)
            else:
                return changes_keep_and_redirect(request, "time_off", changes)
        kept: dict[str, Any] = {"saved": False, "changes": None}
        status = 400
    else:
        form = TimeOffForm(today=today)
        kept = changes_pop(request, "time_off")
        status = 200
    context = {
        "form": form,
        # The person's own today: time off ending today stays listed until their midnight.
        "entries": time_off_upcoming_for(me, today),
        "me": me,
        **kept,
    }
    return render(request, "accounts/time_off.html", context, status=status)


@login_required
@require_POST
def time_off_remove(request: HttpRequest) -> HttpResponse:
    try:
        changes = services.contributor_time_off_remove(me_of(request), posted_id(request))
    except PermissionDenied:
        raise Http404("No such time off.") from None
    return changes_keep_and_redirect(request, "time_off", changes)


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a personal API token and show it on this answer only: Rota keeps its hash."""
    me = me_of(request)
    try:
        token, plain = account_services.api_token_create(me, request.POST.get("name", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"The token was not created: {message}")
        return redirect("profile")
    context = {"token": token, "plain": plain}
    response = render(request, "accounts/api_token_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest) -> HttpResponse:
    if not account_services.api_token_revoke(me_of(request), posted_id(request), timezone.now()):
        raise Http404("No such token in use.")
    messages.success(request, "Revoked the token: it no longer works.")
    return redirect("profile")
