from __future__ import annotations

from django import forms

from rota.notifications.models import NoticeKind


class NoticePreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label="Send me",
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
