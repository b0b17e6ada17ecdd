"""Errors as the API answers them: a service's ValidationError is a 400 with field messages
(DRF's own shape), PermissionDenied 403, Http404 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            "non_field_errors" if field == "__all__" else field: messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    return exception_handler(exc, context)


class Conflict(exceptions.APIException):
    """The request was valid but came too late: taken, withdrawn, changed meanwhile."""

    status_code = 409
    default_detail = "This changed meanwhile."
    default_code = "conflict"
