"""Reads: rotas, who is on duty, shifts, releases, components, people, fairness."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rota.api.serializers.fields import WallClockTimeField
from rota.rotas.models import Assignment, Release, Rota, Shift
from rota.rotas.on_duty import SHIFTS_RANGE_MOST, release_seats
from rota.rotas.selectors import person_label_for


class RotaSerializer(serializers.ModelSerializer[Rota]):
    handoff_zone = serializers.CharField(help_text="IANA zone of the hand-off wall-clock time.")
    handoff_time = WallClockTimeField()

    class Meta:
        model = Rota
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "is_public",
            "roles",
            "handoff_weekday",
            "handoff_time",
            "handoff_zone",
            "shift_weeks",
            "seats",
            "horizon_weeks",
            "freeze_weeks",
        ]
        read_only_fields = fields
        extra_kwargs = {"roles": {"child": serializers.CharField()}}

    roles = serializers.ListField(child=serializers.CharField(), read_only=True)


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="As the caller may see it: a display name to outsiders.")


class SeatSerializer(serializers.Serializer[Assignment]):
    """One seat of a shift; the person named as the caller may see them (context
    `knows_people`)."""

    person = serializers.SerializerMethodField()
    role = serializers.CharField()
    source = serializers.CharField(help_text="planned, swapped or overridden")

    @extend_schema_field(PersonRefSerializer)
    def get_person(self, assignment: Assignment) -> dict[str, Any]:
        knows = bool(self.context.get("knows_people"))
        return {
            "id": assignment.person_id,
            "name": person_label_for(assignment.person, knows_people=knows),
        }


class UnfilledSerializer(serializers.Serializer[Any]):
    role = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)


def _local(when: datetime, zone: str) -> datetime:
    return when.astimezone(ZoneInfo(zone))


class ShiftSerializer(serializers.Serializer[Shift]):
    """A shift in UTC, with its start and end in the rota's zone (context `zone`)."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    starts_local = serializers.SerializerMethodField()
    ends_local = serializers.SerializerMethodField()
    release = serializers.SerializerMethodField()
    covered_hours = serializers.ListField(child=serializers.IntegerField(), help_text="UTC hours")
    unfilled = UnfilledSerializer(many=True)
    seats = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField())
    def get_starts_local(self, shift: Shift) -> str:
        return _local(shift.starts_at, self.context["zone"]).isoformat()

    @extend_schema_field(serializers.DateTimeField())
    def get_ends_local(self, shift: Shift) -> str:
        return _local(shift.ends_at, self.context["zone"]).isoformat()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_release(self, shift: Shift) -> str | None:
        return shift.release.version if shift.release_id and shift.release else None

    @extend_schema_field(SeatSerializer(many=True))
    def get_seats(self, shift: Shift) -> list[dict[str, Any]]:
        return SeatSerializer(shift.active_assignments, many=True, context=self.context).data  # type: ignore[attr-defined,return-value]


class ShiftRangeQuerySerializer(serializers.Serializer[Any]):
    """?from=&to= : two instants (ISO 8601; without an offset they are UTC)."""

    from_ = serializers.DateTimeField(help_text="Start of the range (inclusive)")
    to = serializers.DateTimeField(help_text="End of the range (exclusive)")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs["from"], attrs["to"]
        if end <= start:
            raise serializers.ValidationError({"to": "Must be after `from`."})
        if end - start > SHIFTS_RANGE_MOST:
            raise serializers.ValidationError(
                {"to": f"Ask for at most {SHIFTS_RANGE_MOST.days} days at a time."}
            )
        return attrs


class SeatNowSerializer(serializers.Serializer[Any]):
    person = PersonRefSerializer(source="*")
    role = serializers.CharField()
    source = serializers.CharField()
    time_zone = serializers.CharField(
        allow_null=True, help_text="Null unless you know the rota's people."
    )
    local_time = serializers.DateTimeField(
        allow_null=True, help_text="The person's wall clock now."
    )
    in_working_hours = serializers.BooleanField(allow_null=True)
    on_time_off = serializers.BooleanField(allow_null=True)

    def to_representation(self, seat: Any) -> dict[str, Any]:
        return {
            "person": {"id": seat.person_id, "name": seat.name},
            "role": seat.role,
            "source": seat.source,
            "time_zone": seat.time_zone,
            "local_time": seat.local_time.isoformat() if seat.local_time else None,
            "in_working_hours": seat.in_working_hours,
            "on_time_off": seat.on_time_off,
        }


class ShiftNowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    starts_local = serializers.DateTimeField()
    ends_local = serializers.DateTimeField()
    release = serializers.CharField(allow_null=True)
    seats = SeatNowSerializer(many=True)

    def to_representation(self, found: Any) -> dict[str, Any]:
        shift, zone = found.shift, self.context["zone"]
        return {
            "id": shift.pk,
            "starts_at": serializers.DateTimeField().to_representation(shift.starts_at),
            "ends_at": serializers.DateTimeField().to_representation(shift.ends_at),
            "starts_local": _local(shift.starts_at, zone).isoformat(),
            "ends_local": _local(shift.ends_at, zone).isoformat(),
            "release": shift.release.version if shift.release_id and shift.release else None,
            "seats": [SeatNowSerializer().to_representation(s) for s in found.seats],
        }


class OnDutySerializer(serializers.Serializer[Any]):
    rota = serializers.CharField(source="rota.slug")
    zone = serializers.CharField(source="rota.handoff_zone", help_text="The rota's zone")
    at = serializers.DateTimeField()
    now = ShiftNowSerializer(many=True)
    next = ShiftNowSerializer(many=True)


class ReleaseSerializer(serializers.Serializer[Release]):
    id = serializers.IntegerField()
    version = serializers.CharField()
    date = serializers.DateField()
    duty_starts_at = serializers.SerializerMethodField()
    duty_ends_at = serializers.SerializerMethodField()
    lead = serializers.SerializerMethodField()
    shadow = serializers.SerializerMethodField()

    def _shift(self, release: Release) -> Shift | None:
        return getattr(release, "shift", None)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_duty_starts_at(self, release: Release) -> str | None:
        shift = self._shift(release)
        return serializers.DateTimeField().to_representation(shift.starts_at) if shift else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_duty_ends_at(self, release: Release) -> str | None:
        shift = self._shift(release)
        return serializers.DateTimeField().to_representation(shift.ends_at) if shift else None

    def _person(self, release: Release, role: str) -> dict[str, Any] | None:
        seat = release_seats(release).get(role)
        if seat is None:
            return None
        knows = bool(self.context.get("knows_people"))
        return {"id": seat.person_id, "name": person_label_for(seat.person, knows_people=knows)}

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_lead(self, release: Release) -> dict[str, Any] | None:
        return self._person(release, "lead")

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_shadow(self, release: Release) -> dict[str, Any] | None:
        return self._person(release, "shadow")


class ContactSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="@GitHub login, or display name without one")
    reason = serializers.CharField(help_text="Why them: on review duty now, served least recently")


class ComponentSerializer(serializers.Serializer[Any]):
    """A component with its owners and its point of contact this week (as on the components
    page): rendered from rota.github's ComponentView."""

    id = serializers.IntegerField(source="component.pk")
    name = serializers.CharField(source="component.name")
    repository = serializers.CharField(source="component.repository")
    path_patterns = serializers.ListField(
        child=serializers.CharField(), source="component.patterns"
    )
    rota = serializers.CharField(source="component.rota.slug", allow_null=True, default=None)
    owners = serializers.SerializerMethodField()
    point_of_contact = serializers.SerializerMethodField(
        help_text="The owner on review duty now, else the one who served least recently; "
        "null when the component has no owners."
    )

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_owners(self, view: Any) -> list[dict[str, Any]]:
        return [{"id": o.pk, "name": o.public_name} for o in view.component.owners.all()]

    @extend_schema_field(ContactSerializer(allow_null=True))
    def get_point_of_contact(self, view: Any) -> dict[str, str] | None:
        if not view.contact:
            return None
        return {"name": view.contact, "reason": view.contact_reason}


class PersonProfileSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    organisation = serializers.CharField()
    time_zone = serializers.CharField(allow_null=True, help_text="Null unless you share a rota.")
    rotas = serializers.SerializerMethodField(help_text="Slugs of the rotas you can see them in")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_rotas(self, profile: Any) -> list[str]:
        return [rota.slug for rota in profile.rotas]


class PersonFairnessSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    zone = serializers.CharField()
    region = serializers.CharField()
    duties = serializers.IntegerField()
    load = serializers.FloatField()
    fair_share = serializers.FloatField()
    deviation = serializers.FloatField()
    last_duty = serializers.DateTimeField(allow_null=True)
    next_duty = serializers.DateTimeField(allow_null=True)
    share = serializers.CharField(help_text="The person's capacity, in words")


class GroupFairnessSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    duties = serializers.IntegerField()
    share = serializers.FloatField()
    expected_share = serializers.FloatField()
    deviation = serializers.FloatField()


class FairnessSerializer(serializers.Serializer[Any]):
    rota = serializers.CharField(source="rota.slug")
    planned_at = serializers.DateTimeField(source="run.started_at", allow_null=True, default=None)
    summary = serializers.DictField()
    people = PersonFairnessSerializer(many=True)
    organisations = GroupFairnessSerializer(many=True)
    regions = GroupFairnessSerializer(many=True)
