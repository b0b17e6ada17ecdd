"""The release managers' pages: dashboard, fairness report, preview and publish, overrides.

Every page checks in its selector or service that the person manages the rota: a volunteer
gets 403 on each, a manager of one rota 403 on another's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rota.rotas.dashboard import (
    dashboard_for,
    rota_managed_or_deny,
    user_is_manager,
    weeks_from_request,
)
from rota.rotas.fairness import (
    coverage_heatmap_svg,
    fairness_csv,
    fairness_report,
    load_chart_svg,
    organisation_chart_svg,
)
from rota.rotas.forms import (
    OverrideForm,
    ReleaseCadenceForm,
    ReleaseForm,
    ReleaseMoveForm,
    RotaForm,
)
from rota.rotas.models import Assignment, Membership, PlanRun, PlanRunStatus, Shift
from rota.rotas.overrides import assignment_override, assignment_override_check
from rota.rotas.publishing import rota_auto_publish_set, rota_plan_preview, rota_plan_publish
from rota.rotas.releases import (
    release_cancel,
    release_move,
    release_versions,
    releases_add,
    rota_create,
    rota_settings_save,
)
from rota.rotas.views.accounts import zone_picker
from rota.rotas.views.request_parsing import errors_onto, me_of, posted_id


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    if not user_is_manager(me):
        raise PermissionDenied("The dashboard is for rota managers.")
    weeks = weeks_from_request(request.GET.get("weeks"))
    context = {
        "overviews": dashboard_for(me, timezone.now(), weeks),
        "weeks": weeks,
        "me": me,
    }
    return render(request, "rotas/manage/dashboard.html", context)


@login_required
@require_GET
def fairness(request: HttpRequest, slug: str) -> HttpResponse:
    rota = rota_managed_or_deny(me_of(request), slug)
    report = fairness_report(rota, timezone.now())
    if request.GET.get("format") == "csv":
        response = HttpResponse(fairness_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{rota.slug}-fairness.csv"'
        return response
    context = {
        "rota": rota,
        "report": report,
        "load_chart": load_chart_svg(report.people),
        "heatmap": coverage_heatmap_svg(report.weeks),
        "organisation_chart": organisation_chart_svg(report.organisations, "Organisations"),
        "region_chart": organisation_chart_svg(report.regions, "Regions"),
    }
    return render(request, "rotas/manage/fairness.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    me = me_of(request)
    rota = rota_managed_or_deny(me, slug)
    preview = None
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "preview":
                preview = rota_plan_preview(me, rota)
            elif action == "publish":
                outcome = rota_plan_publish(me, rota)
                messages.success(
                    request, f"Published: {len(outcome.changes)} changes to {rota.name}."
                )
                return redirect("manage_plan", slug=rota.slug)
            elif action in ("auto_on", "auto_off"):
                rota_auto_publish_set(me, rota, action == "auto_on")
                messages.success(
                    request,
                    "Re-plans now publish automatically."
                    if action == "auto_on"
                    else "Re-plans now wait for you to publish them.",
                )
                return redirect("manage_plan", slug=rota.slug)
            else:
                errors.append("Choose preview or publish.")
        except ValidationError as error:
            errors += error.messages
    runs = list(
        PlanRun.objects.filter(rota=rota)
        .exclude(status=PlanRunStatus.DRY_RUN)
        .select_related("published_by")
        .order_by("-started_at", "-pk")[:10]
    )
    context: dict[str, Any] = {
        "rota": rota,
        "preview": preview,
        "errors": errors,
        "runs": runs,
        "latest": next((r for r in runs if r.status == PlanRunStatus.APPLIED), None),
        "awaiting": runs[0] if runs and runs[0].status == PlanRunStatus.AWAITING else None,
        "me": me,
    }
    return render(request, "rotas/manage/plan.html", context, status=400 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, slug: str) -> HttpResponse:
    me = me_of(request)
    rota = rota_managed_or_deny(me, slug)
    now = timezone.now()
    shifts = list(Shift.objects.filter(rota=rota, starts_at__gt=now).order_by("starts_at")[:60])
    source = request.POST if request.method == "POST" else request.GET
    chosen = next((s for s in shifts if str(s.pk) == str(source.get("shift", ""))), None)
    chosen = chosen or (shifts[0] if shifts else None)
    seats = list(
        Assignment.objects.active().filter(shift=chosen).select_related("person") if chosen else []
    )
    members = [
        m.user
        for m in Membership.objects.filter(rota=rota, paused=False)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    ]
    kwargs = {"rota": rota, "shifts": shifts, "members": members, "seats": seats}
    kwargs["zone"] = me.time_zone
    check = None
    status = 200
    if request.method == "POST" and request.POST.get("action") in ("check", "confirm"):
        form = OverrideForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST["action"] == "confirm":
                    taken = assignment_override(
                        me,
                        data["shift"],
                        data["role"],
                        data["person"],
                        data["reason"],
                        replace_id=data["replace"],
                        now=now,
                    )
                    messages.success(
                        request, f"{taken.person.name} is now on duty; both people are told."
                    )
                    return redirect("manage_dashboard")
                check = assignment_override_check(
                    me, data["shift"], data["role"], data["person"],
                    replace_id=data["replace"], now=now,
                )  # fmt: skip
            except ValidationError as error:
                errors_onto(form, error)
        if not form.is_valid() or (check and check.problems):
            status = 400
    else:
        form = OverrideForm(initial={"shift": chosen.pk if chosen else None}, **kwargs)
    context = {"rota": rota, "form": form, "check": check, "chosen": chosen, "seats": seats}
    return render(request, "rotas/manage/override.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def releases(request: HttpRequest, slug: str) -> HttpResponse:
    me = me_of(request)
    rota = rota_managed_or_deny(me, slug)
    single, cadence = ReleaseForm(prefix="one"), ReleaseCadenceForm(prefix="many")
    move = ReleaseMoveForm(prefix="move")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                single = ReleaseForm(request.POST, prefix="one")
                if single.is_valid():
                    data = single.cleaned_data
                    releases_add(me, rota, [(data["version"], data["date"])])
                    messages.success(request, f"Added {data['version']}; its duty is planned.")
                    return redirect("manage_releases", slug=rota.slug)
            elif action == "cadence":
                cadence = ReleaseCadenceForm(request.POST, prefix="many")
                if cadence.is_valid():
                    data = cadence.cleaned_data
                    found = release_versions(
                        data["pattern"], data["first"], data["every_weeks"], data["count"],
                        data["start"],
                    )  # fmt: skip
                    releases_add(me, rota, found)
                    messages.success(request, f"Added {len(found)} releases.")
                    return redirect("manage_releases", slug=rota.slug)
            elif action == "move":
                move = ReleaseMoveForm(request.POST, prefix="move")
                if move.is_valid():
                    moved = release_move(me, move.cleaned_data["id"], move.cleaned_data["date"])
                    messages.success(
                        request, f"Moved {moved.version} to {moved.date:%d %b %Y}; re-planning."
                    )
                    return redirect("manage_releases", slug=rota.slug)
            elif action == "cancel":
                release_cancel(me, posted_id(request))
                messages.success(request, "Cancelled the release; its duty is released.")
                return redirect("manage_releases", slug=rota.slug)
        except ValidationError as error:
            form = {"add": single, "cadence": cadence, "move": move}.get(action or "", single)
            errors_onto(form, error)
        status = 400
    context = {
        "rota": rota,
        "releases": rota.releases.order_by("date"),
        "single": single,
        "cadence": cadence,
        "move": move,
    }
    return render(request, "rotas/manage/releases.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rota_settings(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """A rota's settings for its managers; a new rota for staff."""
    me = me_of(request)
    rota = rota_managed_or_deny(me, slug) if slug else None
    if rota is None and not me.is_staff:
        raise PermissionDenied("Only staff create rotas.")
    if request.method == "POST":
        form = RotaForm(request.POST, instance=rota)
        if form.is_valid():
            try:
                if rota is None:
                    saved = rota_create(me, form.save(commit=False))
                else:
                    saved = rota_settings_save(me, form.save(commit=False), form.changed_data)
            except ValidationError as error:
                errors_onto(form, error)
            else:
                messages.success(request, f"Saved {saved.name}; it is re-planned.")
                return redirect("manage_rota_settings", slug=saved.slug)
        status = 400
    else:
        form = RotaForm(instance=rota)
        status = 200
    context = {"rota": rota, "form": form, "kind_fields": RotaForm.KIND_FIELDS, **zone_picker()}
    return render(request, "rotas/manage/rota_form.html", context, status=status)
