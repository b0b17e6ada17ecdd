"""A contributor's own duties."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rota.rotas.selectors import duties_for_person, first_duty_outlook_for
from rota.rotas.views.request_parsing import me_of


@login_required
def duties(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    now = timezone.now()
    context = {
        "me": me,
        "outlook": first_duty_outlook_for(me, now),
        **duties_for_person(me, now),
    }
    return render(request, "rotas/duties.html", context)
