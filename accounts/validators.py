"""Field validators shared by models, forms, admin and the API."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import cache

import pytz
from django.core.exceptions import ValidationError

# GitHub's rules for a user name: 1-39 characters, letters, digits and single hyphens, not
# starting or ending with a hyphen (https://github.com/join shows these rules).
GITHUB_LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


@cache
def available_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(
            "%(value)s is not a time zone we know; use an IANA name such as Europe/Berlin.",
            code="invalid_time_zone",
            params={"value": value},
        )


def validate_github_login(value: str) -> None:
    if not GITHUB_LOGIN_RE.fullmatch(value):
        raise ValidationError(
            "A GitHub login has 1-39 letters, digits or single hyphens and does not start or "
            "end with a hyphen.",
            code="invalid_github_login",
        )


def validate_single_line_text(value: str) -> None:
    """No control characters (newlines, tabs, escapes) nor line or paragraph separators: a
    name goes into e-mail subjects and headers, where a newline could forge a header."""
    if any(unicodedata.category(c) in {"Cc", "Zl", "Zp"} for c in value):
        raise ValidationError(
            "Use one line of text without control characters.", code="control_characters"
        )


def country_choices() -> list[tuple[str, str]]:
    return sorted(pytz.country_names.items(), key=lambda item: item[1])


def validate_country(value: str) -> None:
    if value not in pytz.country_names:
        raise ValidationError(
            "%(value)s is not an ISO 3166 country code.",
            code="invalid_country",
            params={"value": value},
        )


def zones_for_country(country: str) -> list[str]:
    """The IANA zones of a country, from pytz's country-to-zone table (its only use here)."""
    return [
        z for z in pytz.country_timezones.get(country.upper(), []) if z in available_time_zones()
    ]
