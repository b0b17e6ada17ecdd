"""Managers' things: rota settings, memberships, releases, overrides, re-plans."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rota.api.serializers.fields import WallClockTimeField
from rota.rotas.models import Membership, Rota


class RotaSettingsSerializer(serializers.ModelSerializer[Rota]):
    """What a manager may change of a rota (the rota form's fields); the service validates
    the whole rota as the form does."""

    handoff_time = WallClockTimeField(required=False)

    class Meta:
        model = Rota
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "is_public",
            "handoff_weekday",
            "handoff_time",
            "handoff_zone",
            "shift_weeks",
            "seats",
            "horizon_weeks",
            "freeze_weeks",
            "min_available_fraction",
            "min_rest_hours",
            "one_per_organisation",
            "min_coverage_hours",
            "history_half_life_weeks",
            "lead_requires_shadow",
            "release_every_weeks",
            "release_weekday",
            "release_window_days",
            "auto_publish",
        ]
        read_only_fields = ["slug", "kind", "auto_publish"]
        validators: list[Any] = []


class MembershipSerializer(serializers.Serializer[Membership]):
    id = serializers.IntegerField()
    person = serializers.SerializerMethodField()
    roles = serializers.ListField(child=serializers.CharField())
    paused = serializers.BooleanField()
    min_weeks_between = serializers.IntegerField()
    max_duties = serializers.IntegerField(allow_null=True)
    joined_at = serializers.DateTimeField()

    def get_person(self, membership: Membership) -> dict[str, Any]:
        user = membership.user
        return {
            "id": user.pk,
            "name": user.name,
            "organisation": user.organisation,
            "time_zone": user.time_zone,
        }


class ReleaseNewSerializer(serializers.Serializer[Any]):
    version = serializers.CharField(max_length=40)
    date = serializers.DateField()


class ReleasesAddSerializer(serializers.Serializer[Any]):
    releases = ReleaseNewSerializer(many=True, min_length=1)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ReleaseMoveSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class OverrideSerializer(serializers.Serializer[Any]):
    shift = serializers.IntegerField()
    role = serializers.CharField(max_length=30)
    person = serializers.IntegerField(help_text="Who takes the seat")
    replace = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The assignment they replace"
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Needed to confirm"
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check: the problems and the coverage before and after"
    )


class OverrideCheckSerializer(serializers.Serializer[Any]):
    problems = serializers.ListField(child=serializers.CharField())
    covered_before = serializers.ListField(child=serializers.IntegerField())
    covered_after = serializers.ListField(child=serializers.IntegerField())
    coverage_warning = serializers.CharField()


class OverrideDoneSerializer(serializers.Serializer[Any]):
    assignment = serializers.IntegerField(source="pk")
    shift = serializers.IntegerField(source="shift_id")
    person = serializers.IntegerField(source="person_id")
    role = serializers.CharField()


class PlanChangeSerializer(serializers.Serializer[Any]):
    change = serializers.CharField(help_text="added or removed")
    shift = serializers.CharField(help_text="The shift's key")
    starts_at = serializers.DateTimeField()
    person = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()


class PlanPreviewSerializer(serializers.Serializer[Any]):
    changes = PlanChangeSerializer(many=True)
    before = serializers.DictField(help_text="The planner's metrics of the published plan")
    after = serializers.DictField(help_text="The planner's metrics of the re-plan")


class PlanPublishedSerializer(serializers.Serializer[Any]):
    outcome = serializers.CharField()
    plan_run = serializers.IntegerField(source="run.pk", allow_null=True, default=None)
    changes = PlanChangeSerializer(many=True)
    metrics = serializers.DictField()
