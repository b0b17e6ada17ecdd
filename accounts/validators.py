"""Field validators shared by models, forms, admin and the API."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from datetime import date
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


# Bidirectional embeddings, overrides and isolates (and the marks) reorder what follows them on
# screen, so "Intel\u202eevil" can show a different name than the one stored (CVE-2021-42574).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _unsafe_characters(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        c not in allowed and (c in BIDI_CONTROLS or unicodedata.category(c) in {"Cc", "Zl", "Zp"})
        for c in value
    )


def validate_single_line_text(value: str) -> None:
    """No control characters (newlines, tabs, escapes), line or paragraph separators nor
    bidirectional controls: a name goes into e-mail subjects and headers, where a newline
    could forge a header, and onto pages, where a bidi override could disguise it."""
    if _unsafe_characters(value):
        raise ValidationError(
            "Use one line of text without control characters.", code="control_characters"
        )


def validate_plain_text(value: str) -> None:
    """Several lines are fine (a message, a description), other control characters and
    bidirectional controls are not."""
    if _unsafe_characters(value, allowed=frozenset("\n\r\t")):
        raise ValidationError(
            "Use plain text without control characters.", code="control_characters"
        )


# Dates people enter are bounded: far beyond any real plan, yet far enough inside Python's
# year 1 to 9999 that a day added or a zone converted can never overflow.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def validate_day_in_range(value: date) -> None:
    if isinstance(value, date) and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            "Choose a date between %(first)s and %(last)s.",
            code="date_out_of_range",
            params={"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
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
