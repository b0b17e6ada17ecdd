"""Duties in, an RFC 5545 / RFC 7986 calendar out. Pure: no database, no clock, no settings.

The calendar is written with icalendar, which escapes, folds and formats; this module decides
what a duty looks like in a calendar. Every instant is written in UTC (the `Z` form), so events
need no VTIMEZONE and no client can misread a zone; people's local times appear in the event
description, where they help.

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

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneStandard, vDuration, vText

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
    source: str = "planned"  # "swapped" or "overridden" (a manager's decision) too
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


_SOURCE_NOTES = {
    "overridden": "Set by a rota manager (an override): re-plans keep it.",
    "swapped": "Taken over in a swap.",
}

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
    if duty.source in _SOURCE_NOTES and duty.cancelled_at is None:
        lines.append(_SOURCE_NOTES[duty.source])
    lines.append(f"UTC: {local_span(duty.starts_at, duty.ends_at, 'UTC')}")
    if spec.audience == "personal" and duty.explanation and duty.cancelled_at is None:
        lines.append(f"Why you: {duty.explanation}")
    lines.append(f"Details: {spec.link}")
    return "\n".join(lines)


def duty_uid(assignment_id: int, host: str) -> str:
    """Stable while one person holds the seat; a new holder is a new Assignment, so a new UID."""
    return f"assignment-{assignment_id}@{host}"


# --- the calendar ------------------------------------------------------------------------
# icalendar writes it (escaping, folding at 75 octets between characters, dates). It costs a
# fraction of a millisecond per event, which is why feeds are rendered once per change and polls
# are served from the cache (rota/feeds/selectors.py).

# RFC 5545 forbids control characters other than HTAB in TEXT; icalendar writes them as given.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _event(duty: Duty, spec: FeedSpec) -> Event:
    summary = duty_summary(duty)
    if spec.audience != "personal":
        summary = f"{duty.person.name}: {summary}"
    cancelled = duty.cancelled_at is not None
    if cancelled:
        summary = f"Cancelled: {summary}"
    summary = _text(summary)
    changed = _utc(duty.updated_at)
    event = Event()
    event.add("uid", duty_uid(duty.assignment_id, spec.host))
    event.add("dtstamp", changed)
    event.add("dtstart", _utc(duty.starts_at))
    event.add("dtend", _utc(duty.ends_at))
    event.add("summary", summary)
    event.add("description", _text(duty_description(duty, spec)))
    event.add("url", spec.link)
    event.add("sequence", duty.sequence)
    event.add("last-modified", changed)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if spec.reminder_minutes and not cancelled:
        alarm = Alarm()
        alarm.add("uid", f"reminder-{duty.assignment_id}@{spec.host}")
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -timedelta(minutes=spec.reminder_minutes))
        event.add_component(alarm)
    return event


def _utc_timezone() -> Timezone:
    """The UTC VTIMEZONE: what an empty calendar carries, because RFC 5545 (section 3.6) wants
    at least one component, and a time zone definition is one that claims no duty."""
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))  # noqa: DTZ001 - local time, as the RFC wants
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    zone = Timezone()
    zone.add("tzid", "UTC")
    zone.add_component(standard)
    return zone


def feed_render(spec: FeedSpec, duties: Iterable[Duty]) -> bytes:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    # Typed here: icalendar would write RFC 7986's NAME and the X- properties unescaped.
    name, description = vText(_text(spec.name)), vText(_text(spec.description))
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for duty in sorted(duties, key=lambda d: (d.starts_at, d.assignment_id)):
        calendar.add_component(_event(duty, spec))
    if not calendar.subcomponents:
        calendar.add_component(_utc_timezone())
    return calendar.to_ical()
