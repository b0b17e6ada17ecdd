"""Parsing a request on the contributor pages: who is signed in, the id a button posted, and
a service's ValidationError put back onto the form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import dateformat

from accounts.models import User
from rota.rotas.forms import IdForm


def errors_onto(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def weeks_asked(raw: str | None, *, default: int, most: int) -> tuple[int, str | None]:
    """The weeks a schedule page was asked to show, within 1..most; a bad value gives the
    default and a sentence saying why (a hand-edited link never gives a server error)."""
    if raw is None or raw == "":
        return default, None
    value = raw.strip()
    if not value.isdigit() or len(value) > 4:
        return default, f"“{raw[:20]}” is not a number of weeks; showing {default}."
    weeks = int(value)
    if weeks < 1:
        return default, f"Choose at least one week; showing {default}."
    if weeks > most:
        return most, f"This rota is planned {most} weeks ahead; showing all {most}."
    return weeks, None


def posted_id(request: HttpRequest) -> int:
    """The id a button posted (or, for a GET asking to confirm, the id in the query)."""
    form = IdForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404("No such item.")
    return int(form.cleaned_data["id"])


def local_time_text(when: datetime, zone: str) -> str:
    """An instant as a person reads it in a message: "Monday 9 March 2026, 14:00"."""
    return dateformat.format(when.astimezone(ZoneInfo(zone)), "l j F Y, H:i")


def me_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user
