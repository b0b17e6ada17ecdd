"""Typed readers for JSON values that fail with the JSON path of the bad value."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfoNotFoundError

from rota.engine.timeslots import zone_info

T = TypeVar("T")
#: instants outside these years are refused (time zone rules and arithmetic stay in range)
FIRST_YEAR = 1971
LAST_YEAR = 2200
MISSING = object()


class ProblemFormatError(ValueError):
    """A problem file that does not follow the format; the message starts with the JSON path."""


def fail(path: str, message: str) -> ProblemFormatError:
    return ProblemFormatError(f"{path}: {message}")


def read_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(path, "expected an object")
    return value


def read_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise fail(path, "expected a list")
    return value


def read_field(obj: dict[str, Any], name: str, path: str, default: object = MISSING) -> Any:
    if name in obj:
        return obj[name]
    if default is MISSING:
        raise fail(f"{path}.{name}", "missing")
    return default


def read_str(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise fail(path, "expected a non-empty string")
    return value


def read_int(value: object, path: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(path, "expected an integer")
    if minimum is not None and value < minimum:
        raise fail(path, f"must be at least {minimum}")
    return value


def read_number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, "expected a number")
    if not math.isfinite(value):
        raise fail(path, "expected a finite number")
    return float(value)


def read_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise fail(path, "expected true or false")
    return value


def read_instant(value: object, path: str) -> datetime:
    text = read_str(value, path)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise fail(path, f"not an ISO 8601 date-time: {text!r}") from None
    if parsed.tzinfo is None:
        raise fail(path, f"needs a UTC offset (e.g. 'Z'): {text!r}")
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise fail(path, f"must be in the years {FIRST_YEAR} to {LAST_YEAR}: {text!r}")
    return parsed.astimezone(UTC)


def read_clock(value: object, path: str) -> time:
    text = read_str(value, path)
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise fail(path, f"not a time of day like '09:00': {text!r}") from None
    if parsed.tzinfo is not None:
        raise fail(path, "a local time of day takes no offset")
    return parsed


def read_zone(value: object, path: str) -> str:
    name = read_str(value, path)
    try:
        zone_info(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(path, f"unknown time zone {name!r}") from None
    return name


def read_each(value: object, path: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    return tuple(read(item, f"{path}[{i}]") for i, item in enumerate(read_list(value, path)))
