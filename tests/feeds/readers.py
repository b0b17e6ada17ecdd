"""Independent iCalendar parsers, reduced to what the feed tests compare.

Rota writes feeds with icalendar (rota/feeds/rendering.py); three readers here share nothing
with it: vobject, ical and ical.js (Mozilla's, via node). icalendar reads its own output too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@dataclass(frozen=True)
class ParsedEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str
    sequence: int
    status: str


def events_by_vobject(body: bytes) -> dict[str, ParsedEvent]:
    import vobject

    calendar = vobject.readOne(body.decode())
    events = {}
    for event in calendar.contents.get("vevent", []):
        events[event.uid.value] = ParsedEvent(
            uid=event.uid.value,
            start=event.dtstart.value.astimezone(UTC),
            end=event.dtend.value.astimezone(UTC),
            summary=event.summary.value,
            description=event.description.value,
            sequence=int(event.sequence.value),
            status=event.status.value,
        )
    return events


def events_by_ical(body: bytes) -> dict[str, ParsedEvent]:
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {
        event.uid: ParsedEvent(
            uid=event.uid,
            start=event.dtstart.astimezone(UTC),
            end=event.dtend.astimezone(UTC),
            summary=event.summary,
            description=event.description,
            sequence=event.sequence,
            status=str(event.status.value),
        )
        for event in calendar.events
    }


def events_by_icalendar(body: bytes) -> dict[str, ParsedEvent]:
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(event["UID"]): ParsedEvent(
            uid=str(event["UID"]),
            start=event.decoded("DTSTART").astimezone(UTC),
            end=event.decoded("DTEND").astimezone(UTC),
            summary=str(event["SUMMARY"]),
            description=str(event["DESCRIPTION"]),
            sequence=int(event["SEQUENCE"]),
            status=str(event["STATUS"]),
        )
        for event in calendar.walk("VEVENT")
    }


def icaljs_ready() -> str:
    """The node binary with ical.js installed; skips only when node is missing outside CI."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but node is not installed: ical.js checks cannot run")
        pytest.skip("node is not installed (the ical.js checks run in CI)")
    if not (HERE / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is installed but npm is not: cannot install ical.js")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci in tests/feeds failed:\n{done.stderr}")
    return node


def events_by_icaljs(body: bytes) -> dict[str, ParsedEvent]:
    node = icaljs_ready()
    done = subprocess.run(
        [node, str(HERE / "icaljs_events.mjs")],
        input=body,
        capture_output=True,
        timeout=60,
        cwd=HERE,
        check=True,
    )
    parsed = json.loads(done.stdout)
    return {
        e["uid"]: ParsedEvent(
            uid=e["uid"],
            start=datetime.fromisoformat(e["start"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(e["end"].replace("Z", "+00:00")),
            summary=e["summary"],
            description=e["description"],
            sequence=int(e["sequence"] or 0),
            status=e["status"],
        )
        for e in parsed["events"]
    }
