"""Swap requests: asking for one, taking one, withdrawing one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from rota.rotas import services
from rota.rotas.forms import SwapRequestForm
from rota.rotas.selectors import (
    assignments_swappable_by,
    members_eligible_for,
    swap_request_of,
    swap_requests_by,
    swap_requests_open_for,
)
from rota.rotas.views.feedback import swap_asked_text, swap_taken_text, swap_withdrawn_text
from rota.rotas.views.request_parsing import errors_onto, me_of, posted_id


def _swaps_page(
    request: HttpRequest,
    me: User,
    *,
    errors: list[str] | None = None,
    failed_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "me": me,
        "open_for_me": swap_requests_open_for(me, now),
        "mine": swap_requests_by(me, now),
        "take_errors": errors or [],
        "failed_id": failed_id,
    }
    return render(request, "rotas/swaps.html", context, status=status)


@login_required
def swaps(request: HttpRequest) -> HttpResponse:
    return _swaps_page(request, me_of(request))


@login_required
@require_http_methods(["GET", "POST"])
def swap_new(request: HttpRequest) -> HttpResponse:
    """Ask for a swap. The people who can be named depend on the duty, so choosing a duty
    (the "Choose" button, pressed by rota.js when the select changes) re-renders the form with
    that duty's eligible people instead of asking."""
    me = me_of(request)
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
                swap = services.swap_request_create(
                    me,
                    form.cleaned_data["duty"],
                    target_id=form.cleaned_data["target"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                errors_onto(form, error)
            except PermissionDenied:
                form.add_error("duty", "Choose one of your own duties.")
            else:
                messages.success(request, swap_asked_text(swap, me))
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
    me = me_of(request)
    swap_id = posted_id(request)
    try:
        taken = services.swap_request_accept(
            me, swap_id, confirmed=request.POST.get("confirm") == "1"
        )
    except PermissionDenied:
        raise Http404("No such swap request.") from None
    except services.CoverageConfirmationNeeded as warning:
        context = {"swap_id": swap_id, "warning": " ".join(warning.messages)}
        return render(request, "rotas/swap_confirm.html", context, status=409)
    except ValidationError as error:
        return _swaps_page(request, me, errors=error.messages, failed_id=swap_id, status=409)
    messages.success(request, swap_taken_text(swap_request_of(me, swap_id), taken, me))
    return redirect("duties")


@login_required
@require_POST
def swap_withdraw(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    swap_id = posted_id(request)
    try:
        services.swap_request_withdraw(me, swap_id)
    except PermissionDenied:
        raise Http404("No such swap request.") from None
    except ValidationError as error:
        return _swaps_page(request, me, errors=error.messages, status=409)
    messages.success(request, swap_withdrawn_text(swap_request_of(me, swap_id), me))
    return redirect("swaps")
