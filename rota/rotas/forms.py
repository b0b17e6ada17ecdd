"""Forms of the contributor pages: rotas to join and swap requests."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import User
from accounts.validators import validate_plain_text
from rota.rotas.models import Assignment, Rota


def rota_role_choices(rotas: QuerySet[Rota]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices "rota id:role", one group per rota, for a checkbox list."""
    return [
        (rota.name, [(f"{rota.pk}:{role}", f"{rota.name}: {role}") for role in rota.roles])
        for rota in rotas
    ]


class RotaRolesForm(forms.Form):
    """Which rotas to join, as the roles wanted in each (no role: not joined)."""

    roles = forms.MultipleChoiceField(
        label="Rotas and roles to join",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the roles you want in each rota. You can change this later.",
    )

    def __init__(self, *args: Any, rotas: QuerySet[Rota], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = rota_role_choices(rotas)

    def wanted(self) -> dict[int, list[str]]:
        result: dict[int, list[str]] = defaultdict(list)
        for value in self.cleaned_data.get("roles", []):
            rota_id, _, role = value.partition(":")
            result[int(rota_id)].append(role)
        return dict(result)


def duty_label(assignment: Assignment, zone: str) -> str:
    from zoneinfo import ZoneInfo

    start = assignment.shift.starts_at.astimezone(ZoneInfo(zone))
    return f"{assignment.shift.rota.name}, {assignment.role}, from {start:%a %d %b %Y %H:%M}"


class DutyChoiceField(forms.TypedChoiceField):
    """A select of my upcoming duties that still accepts any duty id, so the service can say
    why another one cannot be swapped (it started already, it is not yours)."""

    def valid_value(self, value: Any) -> bool:
        return True

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value and not str(value).isdigit():
            raise forms.ValidationError("Choose one of your duties.", code="invalid_choice")
        return value


class SwapRequestForm(forms.Form):
    duty = DutyChoiceField(coerce=int, label="Duty to swap")
    target = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Ask",
        help_text="Everyone eligible sees an open request; a named person alone sees theirs.",
    )
    message = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you need a swap; the person who takes it and the managers read it.",
        validators=[validate_plain_text],
    )

    def __init__(
        self,
        *args: Any,
        duties: list[Assignment],
        candidates: list[User],
        zone: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = [(a.pk, duty_label(a, zone)) for a in duties]
        self.fields["target"].choices = [
            ("", "anyone eligible"),
            *((u.pk, f"{u.name} ({u.time_zone})") for u in candidates),
        ]


class IdForm(forms.Form):
    """The id posted by a button (take, withdraw, pause, leave, remove)."""

    id = forms.IntegerField(min_value=1, max_value=2**62)
