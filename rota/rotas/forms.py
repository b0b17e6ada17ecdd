"""Forms of the contributor pages (rotas to join, swap requests) and the managers' pages
(overrides, releases, rota settings)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.forms import TimeZoneInput
from accounts.models import User
from accounts.validators import validate_plain_text, validate_single_line_text, validate_time_zone
from rota.rotas.models import DEFAULT_ROLES, Assignment, Rota, RotaKind


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


class OverrideForm(forms.Form):
    """A manager's override: which seat of which shift, who takes it, and why."""

    shift = forms.TypedChoiceField(coerce=int, label="Shift")
    role = forms.ChoiceField(label="Seat")
    replace = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Replace",
        help_text="Leave empty to fill a free seat.",
    )
    person = forms.TypedChoiceField(coerce=int, label="Put on duty")
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Both people and the audit log read it.",
        validators=[validate_plain_text],
    )

    def __init__(
        self,
        *args: Any,
        rota: Rota,
        shifts: list[Any],
        members: list[User],
        seats: list[Assignment],
        zone: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        self.fields["shift"].choices = [
            (s.pk, f"{timezone.localtime(s.starts_at, _zone(zone)):%a %d %b %Y %H:%M} ({zone})")
            for s in shifts
        ]
        self.fields["role"].choices = [(r, r) for r in rota.roles]
        self.fields["replace"].choices = [
            ("", "nobody (a free seat)"),
            *((a.pk, f"{a.person.name} ({a.role})") for a in seats),
        ]
        self.fields["person"].choices = [(u.pk, f"{u.name} ({u.time_zone})") for u in members]


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


class ReleaseForm(forms.Form):
    version = forms.CharField(max_length=40, validators=[validate_single_line_text])
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ReleaseCadenceForm(forms.Form):
    """Several releases at once: every N weeks from a date, versions from a pattern."""

    pattern = forms.CharField(
        max_length=40,
        initial="3.{n}.0",
        help_text="{n} is a running number, {date:%Y.%m} the release date.",
        validators=[validate_single_line_text],
    )
    start = forms.IntegerField(label="First {n}", min_value=0, max_value=10**6, initial=1)
    first = forms.DateField(label="First release", widget=forms.DateInput(attrs={"type": "date"}))
    every_weeks = forms.IntegerField(label="Every N weeks", min_value=1, max_value=52, initial=4)
    count = forms.IntegerField(label="How many", min_value=1, max_value=52, initial=6)


class ReleaseMoveForm(forms.Form):
    id = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))


ROLE_CHOICES = sorted({role for roles in DEFAULT_ROLES.values() for role in roles})


class RotaForm(forms.ModelForm):
    """A rota's settings; roles are choices and the zone is picked from the IANA list."""

    roles = forms.MultipleChoiceField(
        choices=[(r, r) for r in ROLE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Empty: the kind's usual roles (review: reviewer; release: lead and shadow).",
    )
    handoff_zone = forms.CharField(
        max_length=64, widget=TimeZoneInput(), validators=[validate_time_zone]
    )

    class Meta:
        model = Rota
        fields = [
            "name", "slug", "kind", "description", "is_public",
            "handoff_weekday", "handoff_time", "handoff_zone", "shift_weeks",
            "seats", "min_coverage_hours", "refuse_swaps_below_coverage", "one_per_organisation",
            "roles", "new_member_weeks_between", "horizon_weeks", "freeze_weeks",
            "min_available_fraction",
            "min_rest_hours", "history_half_life_weeks", "auto_publish",
            "release_every_weeks", "release_weekday", "release_window_days",
            "lead_requires_shadow",
        ]  # fmt: skip
        widgets = {"handoff_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    KIND_FIELDS = {
        "review": [
            "seats", "min_coverage_hours", "refuse_swaps_below_coverage", "one_per_organisation",
        ],
        "release": [
            "release_every_weeks", "release_weekday", "release_window_days",
            "lead_requires_shadow",
        ],
    }  # fmt: skip

    def clean_roles(self) -> list[str]:
        roles: list[str] = list(self.cleaned_data.get("roles") or [])
        kind = self.cleaned_data.get("kind") or self.data.get("kind")
        if not roles:
            return list(DEFAULT_ROLES.get(RotaKind(kind), [])) if kind in RotaKind.values else []
        if kind == RotaKind.RELEASE and sorted(roles) != ["lead", "shadow"]:
            raise ValidationError("A release rota has a lead and a shadow.")
        return roles
