"""Fields whose OpenAPI description says what they really hold."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
        "example": "09:00",
        "description": "A wall-clock time (HH:MM) in the zone the object names; no offset.",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local wall-clock time: OpenAPI's `format: time` means an RFC 3339 time with an offset,
    which a time in a person's or a rota's own zone does not have."""
