"""The caller's own things: profile, working hours, time off, duties, feed links, swaps."""

from __future__ import annotations

from datetime import date
from typing import Any

from rest_framework import serializers

from accounts.availability import WindowSpec
from accounts.forms import PROFILE_FIELDS, TimeOffForm
from accounts.models import ApiToken, TimeOff, User
from rota.api.serializers.fields import WallClockTimeField
from rota.feeds.models import FeedKind, FeedToken
from rota.rotas.selectors import DutyView, SwapRequestView


class ProfileSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", *PROFILE_FIELDS, "count_public_holidays"]
        read_only_fields = ["id", "username"]
        # Uniqueness and the rest are checked by the service (full_clean), once.
        validators: list[Any] = []


class WorkingWindowSerializer(serializers.Serializer[WindowSpec]):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday")
    start = WallClockTimeField(help_text="Local time in your zone")
    end = WallClockTimeField()
    ends_next_day = serializers.BooleanField(default=False)


class WorkingHoursSerializer(serializers.Serializer[Any]):
    windows = WorkingWindowSerializer(many=True, max_length=50)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        return {"windows": [WindowSpec(**w) for w in value["windows"]]}

    def to_representation(self, windows: Any) -> dict[str, Any]:
        return {"windows": WorkingWindowSerializer(windows, many=True).data}


class TimeOffSerializer(serializers.ModelSerializer[TimeOff]):
    """Parsed by the time-off page's own form, so the API keeps the same limits (a year back,
    three years ahead of the person's today: context `today`)."""

    class Meta:
        model = TimeOff
        fields = ["id", "start", "end", "note", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = TimeOffForm(
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in attrs.items()},
            today=self.context["today"],
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {f: [str(e) for e in errors] for f, errors in form.errors.items()}
            )
        return dict(form.cleaned_data)


class DutyChangeSerializer(serializers.Serializer[Any]):
    """A change a re-plan made to the caller's duties."""

    change = serializers.CharField(help_text="added or removed")
    rota = serializers.CharField()
    role = serializers.CharField(required=False)
    starts_at = serializers.DateTimeField()


class ReplanOutcomeSerializer(serializers.Serializer[Any]):
    replanned = serializers.BooleanField(
        help_text="False: a plan could not run now; a re-plan is queued and will catch up."
    )
    changes = DutyChangeSerializer(many=True)


def replan_outcome(changes: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {
        "replanned": changes is not None,
        "changes": DutyChangeSerializer(changes or [], many=True).data,
    }


class TimeOffChangedSerializer(serializers.Serializer[Any]):
    time_off = TimeOffSerializer(allow_null=True)
    replan = ReplanOutcomeSerializer()


class CoWorkerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    role = serializers.CharField()


class DutySerializer(serializers.Serializer[DutyView]):
    id = serializers.IntegerField(source="assignment.pk", help_text="The assignment id")
    rota = serializers.CharField(source="shift.rota.slug")
    role = serializers.CharField(source="assignment.role")
    source = serializers.CharField(source="assignment.source")
    starts_at = serializers.DateTimeField(source="shift.starts_at")
    ends_at = serializers.DateTimeField(source="shift.ends_at")
    started = serializers.BooleanField()
    explanation = serializers.CharField(source="assignment.explanation")
    others = CoWorkerSerializer(many=True)
    open_swap_request = serializers.IntegerField(
        source="open_swap.pk", allow_null=True, default=None
    )
    off_during = serializers.BooleanField(help_text="You have time off during this duty")
    kept_because = serializers.CharField()


class DutyWhenQuerySerializer(serializers.Serializer[Any]):
    when = serializers.ChoiceField(["upcoming", "recent"], default="upcoming")


class FeedLinkSerializer(serializers.Serializer[FeedToken]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(FeedKind.choices)
    rota = serializers.CharField(source="rota.slug", allow_null=True, default=None)
    hint = serializers.CharField(help_text="The link's last four characters")
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_fetched_at = serializers.DateTimeField(allow_null=True)


class FeedLinkCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(FeedKind.choices)
    rota = serializers.SlugField(required=False, allow_null=True, default=None)


class FeedUrlsSerializer(serializers.Serializer[Any]):
    https = serializers.URLField()
    webcal = serializers.CharField()


class FeedLinkCreatedSerializer(serializers.Serializer[Any]):
    link = FeedLinkSerializer()
    urls = FeedUrlsSerializer(help_text="Shown once: Rota keeps only a hash of the token.")


class PersonNameSerializer(serializers.Serializer[User]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")


class SwapRequestSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="swap.pk")
    duty = serializers.IntegerField(source="swap.assignment_id", help_text="The assignment id")
    rota = serializers.CharField(source="swap.assignment.shift.rota.slug")
    role = serializers.CharField(source="swap.assignment.role")
    starts_at = serializers.DateTimeField(source="swap.assignment.shift.starts_at")
    ends_at = serializers.DateTimeField(source="swap.assignment.shift.ends_at")
    requester = PersonNameSerializer(source="swap.requester")
    target = PersonNameSerializer(source="swap.target", allow_null=True)
    message = serializers.CharField(source="swap.message")
    status = serializers.CharField()
    created_at = serializers.DateTimeField(source="swap.created_at")


def swap_view(swap: Any) -> SwapRequestView:
    """A request that is open for the caller to take, shown like their own."""
    return SwapRequestView(swap, lapsed=False)


class SwapRequestCreateSerializer(serializers.Serializer[Any]):
    duty = serializers.IntegerField(help_text="The id of one of your duties (assignment id)")
    target = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Ask one person; empty: anyone"
    )
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class SwapTakeSerializer(serializers.Serializer[Any]):
    confirm = serializers.BooleanField(
        default=False, help_text="Take it even though the week falls under its coverage minimum"
    )


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields
