from __future__ import annotations

from django import forms

from rota.notifications.models import REMINDER_WORKING_DAYS_MOST, NoticeKind


class NoticePreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Send me",
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reminder_working_days = forms.TypedChoiceField(
        label="Remind me of a duty",
        coerce=int,
        choices=[
            (n, "one working day before" if n == 1 else f"{n} working days before")
            for n in range(1, REMINDER_WORKING_DAYS_MOST + 1)
        ],
        initial=1,
    )
