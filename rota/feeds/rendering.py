"""Duties in, an RFC 5545 / RFC 7986 calendar out. Pure: no database, no clock, no settings.

Every instant is written in UTC (the `Z` form), so a feed needs no VTIMEZONE and no client can
misread a zone; people's local times appear in the event description, where they help.

Output is deterministic for the same input, so its hash is a strong ETag that every web process
computes alike. That is why DTSTAMP is the duty's last change and not the render time: for a
calendar without METHOD, RFC 5545 section 3.8.7.2 defines DTSTAMP as the time the information
was last revised in the calendar store, which is exactly `updated_at`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//Rota//Rota duty feeds 1.0//EN"
REFRESH_INTERVAL = timedelta(hours=1)
CANCELLED_VISIBLE_FOR = timedelta(days=30)


@dataclass(frozen=True)
class DutyPerson:
    name: str
    zone: str | None  # None where the zone must not be shown (public feeds)


@dataclass(frozen=True)
class Duty:
    assignment_id: int
    person: DutyPerson
    role: str
    rota_name: str
    rota_kind: str  # "review", "release" or "triage"
    release_version: str | None
    starts_at: datetime
    ends_at: datetime
    sequence: int
    updated_at: datetime
    cancelled_at: datetime | None
    explanation: str = ""
    others: tuple[tuple[DutyPerson, str], ...] = ()  # (person, role) of everyone else on duty


@dataclass(frozen=True)
class FeedSpec:
    """What kind of calendar to write.

    audience: "personal" (the reader holds each duty), "rota" (members see everyone, with their
    zones) or "public" (display names only).
    """

    name: str
    description: str
    audience: str
    host: str
    link: str
    owner_zone: str | None = None
    reminder_minutes: int | None = None


_KIND_DUTY = {"review": "PR review duty", "triage": "Triage duty"}


def duty_summary(duty: Duty) -> str:
    """ "PR review duty - Core", "Release lead - Core 5.2", "Triage duty - Docs"."""
    if duty.rota_kind == "release":
        version = f" {duty.release_version}" if duty.release_version else ""
        return f"Release {duty.role} - {duty.rota_name}{version}"
    label = _KIND_DUTY.get(duty.rota_kind, f"{duty.role.capitalize()} duty")
    return f"{label} - {duty.rota_name}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _wall(moment: datetime) -> str:
    # strftime is several times slower than this, and a feed formats hundreds of instants.
    return (
        f"{_DAYS[moment.weekday()]} {moment.day:02d} {_MONTHS[moment.month]} {moment.year}"
        f" {moment.hour:02d}:{moment.minute:02d}"
    )


def local_span(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    tz = ZoneInfo(zone)
    return f"{_wall(starts_at.astimezone(tz))} - {_wall(ends_at.astimezone(tz))} ({zone})"


def _person_line(duty: Duty, person: DutyPerson, role: str) -> str:
    if person.zone is None:
        return f"- {person.name} ({role})"
    return f"- {person.name} ({role}): {local_span(duty.starts_at, duty.ends_at, person.zone)}"


def duty_description(duty: Duty, spec: FeedSpec) -> str:
    lines: list[str] = []
    if duty.cancelled_at is not None:
        lines.append("This duty was cancelled or handed to someone else.")
    if spec.audience == "personal":
        lines.append(f"You are on duty as {duty.role} in {duty.rota_name}.")
        zone = spec.owner_zone or duty.person.zone
        if zone:
            lines.append(f"Your time: {local_span(duty.starts_at, duty.ends_at, zone)}")
        if duty.others:
            lines.append("On duty with you:")
    else:
        lines.append(f"{duty.person.name} is on duty as {duty.role} in {duty.rota_name}.")
        lines.append(_person_line(duty, duty.person, duty.role))
        if duty.others:
            lines.append("Also on duty:")
    lines.extend(_person_line(duty, person, role) for person, role in duty.others)
    lines.append(f"UTC: {local_span(duty.starts_at, duty.ends_at, 'UTC')}")
    if spec.audience == "personal" and duty.explanation and duty.cancelled_at is None:
        lines.append(f"Why you: {duty.explanation}")
    lines.append(f"Details: {spec.link}")
    return "\n".join(lines)


def duty_uid(assignment_id: int, host: str) -> str:
    """Stable while one person holds the seat; a new holder is a new Assignment, so a new UID."""
    return f"assignment-{assignment_id}@{host}"


# --- RFC 5545 content lines ---------------------------------------------------------------
# A tiny writer rather than icalendar's object model: icalendar took ~1 ms per event, which
# put a two-year personal feed at ~100 ms; this writer does the same in a few milliseconds.
# The tests parse its output with three independent parsers (vobject, ical, ical.js) and
# icalendar, so the format is checked by others than its author.

_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}
_HAS_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def ical_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 section 3.3.11); drop control characters it forbids."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _HAS_CONTROL.search(value):
        value = value.translate(_CONTROL)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical_fold(line: str) -> bytes:
    """One content line, folded at 75 octets (section 3.1) without splitting a UTF-8 character."""
    raw = line.encode()
    if len(raw) <= 75:
        return raw + b"\r\n"
    parts = []
    start, limit = 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and raw[end] & 0xC0 == 0x80:  # a continuation byte: step back
            end -= 1
        parts.append(raw[start:end])
        start, limit = end, 74  # a folded line begins with one space
    return b"\r\n ".join(parts) + b"\r\n"


def ical_utc(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}Z"


def _duration(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    clock = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return f"P{days}D" + (f"T{clock}" if clock else "") if days else f"PT{clock or '0M'}"


def _event_lines(duty: Duty, spec: FeedSpec) -> list[str]:
    summary = duty_summary(duty)
    if spec.audience != "personal":
        summary = f"{duty.person.name}: {summary}"
    cancelled = duty.cancelled_at is not None
    if cancelled:
        summary = f"Cancelled: {summary}"
    changed = ical_utc(duty.updated_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{duty_uid(duty.assignment_id, spec.host)}",
        f"DTSTAMP:{changed}",
        f"DTSTART:{ical_utc(duty.starts_at)}",
        f"DTEND:{ical_utc(duty.ends_at)}",
        f"SUMMARY:{ical_text(summary)}",
        f"DESCRIPTION:{ical_text(duty_description(duty, spec))}",
        f"URL:{spec.link}",
        f"SEQUENCE:{duty.sequence}",
        f"LAST-MODIFIED:{changed}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:TRANSPARENT",
    ]
    if spec.reminder_minutes and not cancelled:
        lines += [
            "BEGIN:VALARM",
            f"UID:reminder-{duty.assignment_id}@{spec.host}",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{ical_text(summary)}",
            f"TRIGGER:-{_duration(spec.reminder_minutes)}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def feed_render(spec: FeedSpec, duties: Iterable[Duty]) -> bytes:
    ttl = _duration(int(REFRESH_INTERVAL.total_seconds() // 60))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{ical_text(spec.name)}",
        f"X-WR-CALNAME:{ical_text(spec.name)}",
        f"DESCRIPTION:{ical_text(spec.description)}",
        f"X-WR-CALDESC:{ical_text(spec.description)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}",
        f"X-PUBLISHED-TTL:{ttl}",
    ]
    for duty in sorted(duties, key=lambda d: (d.starts_at, d.assignment_id)):
        lines += _event_lines(duty, spec)
    lines.append("END:VCALENDAR")
    return b"".join(ical_fold(line) for line in lines)
