"""Forms for people: sign-up, profile, working hours and time off.

Forms parse and validate input; saving goes through accounts.services.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.availability import DAY_NAMES, WindowSpec, overlapping_windows
from accounts.models import DEFAULT_WORKING_HOURS, DUTY_LIMIT_FIELDS, DutyShare, User
from accounts.validators import (
    EARLIEST_DAY,
    LATEST_DAY,
    available_time_zones,
    country_choices,
    validate_day_in_range,
    validate_single_line_text,
    validate_time_zone,
)

PROFILE_FIELDS = ["email", "display_name", "github_login", "time_zone", "country", "organisation"]


class TimeZoneInput(forms.TextInput):
    """A text input tied to the page's <datalist id="time-zones"> so zones can be searched."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "list": "time-zones",
                "autocomplete": "off",
                "spellcheck": "false",
                "data-zone-input": "",
                **(attrs or {}),
            }
        )


class ProfileFieldsMixin(forms.ModelForm):
    time_zone = forms.CharField(
        max_length=64,
        widget=TimeZoneInput(),
        validators=[validate_time_zone],
        help_text="An IANA name such as Asia/Kolkata; start typing to search.",
    )
    country = forms.ChoiceField(
        required=False,
        choices=[("", "— choose —"), *country_choices()],
        widget=forms.Select(attrs={"data-country-select": ""}),
        help_text="Your country's zones are listed first, and its public holidays can count "
        "as time off.",
    )

    def clean_time_zone(self) -> str:
        return str(self.cleaned_data["time_zone"]).strip()


class SignupForm(ProfileFieldsMixin):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", *PROFILE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("This username is taken.")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                display_name=cleaned.get("display_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def profile_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name != "email"}


class ProfileForm(ProfileFieldsMixin):
    class Meta:
        model = User
        fields = [
            *PROFILE_FIELDS,
            "count_public_holidays",
            *DUTY_LIMIT_FIELDS,
        ]
        labels = {"count_public_holidays": "Count my country's public holidays as time off"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        # Forms posted without the share (older pages, the API) keep a full share.
        self.fields["duty_share"].required = False

    def clean_duty_share(self) -> str:
        return str(self.cleaned_data.get("duty_share") or DutyShare.FULL)

    def changed_profile(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class WorkingWindowForm(forms.Form):
    weekday = forms.TypedChoiceField(
        choices=list(enumerate(DAY_NAMES)), coerce=int, label="Day", required=False
    )
    start = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False
    )
    end = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False
    )
    ends_next_day = forms.BooleanField(required=False, label="ends next day")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.cleaned_data.get("DELETE"):
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and end is None:
            return cleaned  # an empty row: ignored
        weekday = cleaned.get("weekday")
        if weekday is None or weekday == "":
            # Not Monday by default: a row with times but no day is a mistake to point out.
            self.add_error("weekday", "Choose a day.")
        if start is None:
            self.add_error("start", "Give a start time.")
        if end is None:
            self.add_error("end", "Give an end time.")
        if isinstance(start, time) and isinstance(end, time):
            from accounts.availability import window_error

            error = window_error(start, end, bool(cleaned.get("ends_next_day")))
            if error:
                self.add_error("end", error)
        return cleaned

    def spec(self) -> WindowSpec | None:
        data = getattr(self, "cleaned_data", {})
        if not data or data.get("DELETE") or data.get("start") is None or data.get("end") is None:
            return None
        if not isinstance(data.get("weekday"), int):
            return None
        return WindowSpec(data["weekday"], data["start"], data["end"], bool(data["ends_next_day"]))


class BaseWorkingHoursFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        specs = self.windows()
        for first, second in overlapping_windows(specs):
            for form in self.forms:
                if form.spec() in (first, second):
                    form.add_error(None, f"{first.label()} overlaps {second.label()}.")
            raise ValidationError(f"{first.label()} overlaps {second.label()}.")

    def windows(self) -> list[WindowSpec]:
        return [spec for form in self.forms if (spec := form.spec()) is not None]


WorkingHoursFormSet = forms.formset_factory(
    WorkingWindowForm,
    formset=BaseWorkingHoursFormSet,
    extra=1,
    can_delete=True,
    max_num=40,
    validate_max=True,
    absolute_max=60,
)


def working_hours_initial(windows: list[WindowSpec] | None = None) -> list[dict[str, Any]]:
    """Initial rows: the person's windows, or Monday-Friday 09:00-17:00 for a new person."""
    if windows is None:
        windows = [WindowSpec(day, start, end) for day, start, end in DEFAULT_WORKING_HOURS]
    return [
        {"weekday": w.weekday, "start": w.start, "end": w.end, "ends_next_day": w.ends_next_day}
        for w in windows
    ]


TIME_OFF_PAST = timedelta(days=366)
TIME_OFF_AHEAD = timedelta(days=3 * 366)


class TimeOffForm(forms.Form):
    """Time off from a year ago to three years ahead of the person's own today: enough for any
    plan (the longest horizon is three years), and no date that planning cannot place."""

    start = forms.DateField(
        label="First day off",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day_in_range],
    )
    end = forms.DateField(
        label="Last day off",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day_in_range],
    )
    note = forms.CharField(
        max_length=200,
        required=False,
        help_text="Private: only you and the admins see it.",
        validators=[validate_single_line_text],
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.earliest = max(today - TIME_OFF_PAST, EARLIEST_DAY)
        self.latest = min(today + TIME_OFF_AHEAD, LATEST_DAY)
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(
                {"min": self.earliest.isoformat(), "max": self.latest.isoformat()}
            )

    def clean_start(self) -> date:
        start: date = self.cleaned_data["start"]
        if start < self.earliest:
            raise ValidationError(
                f"Time off can start at most a year ago, on {self.earliest:%d %B %Y} or later."
            )
        return start

    def clean_end(self) -> date:
        end: date = self.cleaned_data["end"]
        if end > self.latest:
            raise ValidationError(
                f"Time off can be planned up to three years ahead, until {self.latest:%d %B %Y}."
            )
        return end

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", "Time off must end on or after the day it starts.")
        return cleaned


def time_zone_names() -> list[str]:
    return sorted(available_time_zones())
