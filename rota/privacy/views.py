"""Your data: download it as JSON, or delete your account (asking for the password first)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rota.privacy.forms import AccountDeleteForm
from rota.privacy.selectors import person_data_export
from rota.privacy.services import person_forget
from rota.rotas.views.request_parsing import me_of


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    now = timezone.now()
    body = json.dumps(person_data_export(me, now), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rota-{me.username}-{now:%Y-%m-%d}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=me)
        if form.is_valid():
            person_forget(me, timezone.now())
            logout(request)
            messages.success(
                request,
                "Your account is deleted. Your past duties stay in the rotas' history as "
                "those of a former volunteer.",
            )
            return redirect("home")
        status = 400
    else:
        form = AccountDeleteForm(user=me)
        status = 200
    return render(request, "privacy/account_delete.html", {"form": form}, status=status)
