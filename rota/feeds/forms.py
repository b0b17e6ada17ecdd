from __future__ import annotations

from django import forms

from accounts.models import User
from rota.feeds.models import FeedKind, FeedPreference
from rota.feeds.selectors import feed_rotas_for


class FeedTokenCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=FeedKind.choices)
    rota = forms.ModelChoiceField(queryset=None, required=False)  # type: ignore[arg-type]

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rota"].queryset = feed_rotas_for(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("kind") == FeedKind.ROTA and not data.get("rota"):
            raise forms.ValidationError("Choose a rota you are a member or manager of.")
        return data


class FeedTokenRevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1)


class FeedPreferenceForm(forms.ModelForm):
    class Meta:
        model = FeedPreference
        fields = ["reminder_minutes"]
        labels = {"reminder_minutes": "Reminder in my personal feed"}
