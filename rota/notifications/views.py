"""Notice preferences: from the profile (logged in) or from a signed link in any e-mail.

The one-click unsubscribe URL answers a POST without a login or a CSRF token, as RFC 8058
asks: mail providers POST "List-Unsubscribe=One-Click" to it from their own servers. A GET
of it (a link scanner, or a person clicking) only shows a button, so prefetching a link
never unsubscribes anyone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from rota.notifications.forms import NoticePreferencesForm
from rota.notifications.models import NoticeKind
from rota.notifications.preferences import (
    kinds_muted_by,
    notice_kind_mute,
    notice_preferences_set,
    preferences_token_read,
    reminder_working_days_of,
)
from rota.rotas.views.request_parsing import me_of


def _preferences_page(request: HttpRequest, person: User, *, signed: bool) -> HttpResponse:
    if request.method == "POST":
        form = NoticePreferencesForm(request.POST)
        if form.is_valid():
            notice_preferences_set(
                person, form.cleaned_data["wanted"], form.cleaned_data["reminder_working_days"]
            )
            messages.success(request, "Your notice preferences are saved.")
            return redirect(request.path)
        status = 400
    else:
        muted = kinds_muted_by(person)
        form = NoticePreferencesForm(
            initial={
                "wanted": [k for k in NoticeKind.values if k not in muted],
                "reminder_working_days": reminder_working_days_of([person.pk])[person.pk],
            }
        )
        status = 200
    context = {"form": form, "person": person, "signed": signed}
    return render(request, "notifications/preferences.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notice_preferences(request: HttpRequest) -> HttpResponse:
    return _preferences_page(request, me_of(request), signed=False)


def _person_of(token: str) -> tuple[User, str]:
    try:
        user_id, kind = preferences_token_read(token)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        raise Http404("This link is not valid.")
    return person, kind


@require_http_methods(["GET", "POST"])
def notice_preferences_signed(request: HttpRequest, token: str) -> HttpResponse:
    person, _kind = _person_of(token)
    return _preferences_page(request, person, signed=True)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notice_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    person, kind = _person_of(token)
    if not kind:
        raise Http404("This link is not valid.")
    label = NoticeKind(kind).label
    if request.method == "POST":
        notice_kind_mute(person.pk, kind)
        return render(request, "notifications/unsubscribed.html", {"label": label, "token": token})
    return render(request, "notifications/unsubscribe.html", {"label": label, "token": token})
