"""The pure writer (icalendar underneath): calendar properties, escaping, folding, summaries,
reminders, the empty calendar, goldens."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from rota.feeds.rendering import (
    Duty,
    DutyPerson,
    FeedSpec,
    duty_summary,
    feed_render,
)
from tests.feeds.readers import (
    events_by_ical,
    events_by_icalendar,
    events_by_icaljs,
    events_by_vobject,
)

GOLDEN = Path(__file__).parent / "golden"
START = datetime(2025, 3, 24, 8, 0, tzinfo=UTC)
CHANGED = datetime(2025, 2, 20, 10, 30, tzinfo=UTC)

# Each name is longer than one 75-octet content line, in Chinese, Devanagari and emoji.
# Full-width punctuation is what Chinese text really uses, hence the RUF001 exemption.
WANG = DutyPerson("王小明（国际化与本地化组件维护者，北京开源社区志愿者）", "Asia/Shanghai")  # noqa: RUF001
VIJAY = DutyPerson("विजय कुमार श्रीवास्तव; release, docs\\ops", "Asia/Kolkata")
ANA = DutyPerson("Ana 🦊🌍👩🏽‍💻🎉🚀✨🧑‍🤝‍🧑 de Souza 🇧🇷 🌻", "America/Sao_Paulo")


def duty(assignment_id: int, person: DutyPerson, week: int = 0, **fields: object) -> Duty:
    values: dict[str, object] = {
        "assignment_id": assignment_id,
        "person": person,
        "role": "reviewer",
        "rota_name": "PR review",
        "rota_kind": "review",
        "release_version": None,
        "starts_at": START + timedelta(weeks=week),
        "ends_at": START + timedelta(weeks=week + 1),
        "sequence": 0,
        "updated_at": CHANGED,
        "cancelled_at": None,
    }
    values.update(fields)
    return Duty(**values)  # type: ignore[arg-type]


def spec(audience: str = "personal", reminder: int | None = None) -> FeedSpec:
    return FeedSpec(
        name="My duties (Rota)",
        description="Duties of 王小明, in every rota",
        audience=audience,
        host="rota.example.org",
        link="https://rota.example.org/me/duties",
        owner_zone="Asia/Shanghai",
        reminder_minutes=reminder,
    )


def sample_duties() -> list[Duty]:
    return [
        duty(11, WANG, explanation="Fair share: 2 duties in 26 weeks", others=((ANA, "reviewer"),)),
        duty(12, WANG, week=2, sequence=3, cancelled_at=CHANGED + timedelta(days=1)),
        duty(
            13,
            WANG,
            week=4,
            role="lead",
            rota_name="Releases",
            rota_kind="release",
            release_version="5.2",
            others=((VIJAY, "shadow"),),
        ),
    ]


def test_summaries_name_the_duty_the_rota_and_the_release() -> None:
    assert duty_summary(duty(1, WANG)) == "PR review duty - PR review"
    release = duty(1, WANG, role="lead", rota_kind="release", rota_name="Core")
    assert duty_summary(Duty(**{**release.__dict__, "release_version": "5.2"})) == (
        "Release lead - Core 5.2"
    )
    assert duty_summary(duty(1, WANG, rota_kind="triage", rota_name="Bugs")) == (
        "Triage duty - Bugs"
    )


def test_calendar_carries_the_rfc_7986_properties_and_no_method() -> None:
    body = feed_render(spec(), sample_duties()).decode()
    for line in (
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "NAME:My duties (Rota)",
        "X-WR-CALNAME:My duties (Rota)",
        "DESCRIPTION:Duties of 王小明\\, in every rota",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert f"\r\n{line}\r\n" in body
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "PRODID:" in body
    assert "METHOD" not in body


def test_every_event_has_the_properties_clients_need() -> None:
    body = feed_render(spec(), sample_duties()).decode().replace("\r\n ", "")
    event = body.split("BEGIN:VEVENT\r\n")[1].split("END:VEVENT")[0]
    for line in (
        "UID:assignment-11@rota.example.org",
        "DTSTAMP:20250220T103000Z",
        "DTSTART:20250324T080000Z",
        "DTEND:20250331T080000Z",
        "SUMMARY:PR review duty - PR review",
        "URL:https://rota.example.org/me/duties",
        "SEQUENCE:0",
        "LAST-MODIFIED:20250220T103000Z",
        "STATUS:CONFIRMED",
        "TRANSP:TRANSPARENT",
    ):
        assert f"{line}\r\n" in event


def test_description_lists_who_else_is_on_duty_in_their_local_time() -> None:
    events = events_by_vobject(feed_render(spec(), sample_duties()))
    import vobject

    calendar = vobject.readOne(feed_render(spec(), sample_duties()).decode())
    description = calendar.vevent_list[0].description.value
    assert "Your time: Mon 24 Mar 2025 16:00 - Mon 31 Mar 2025 16:00 (Asia/Shanghai)" in (
        description
    )
    assert f"- {ANA.name} (reviewer): Mon 24 Mar 2025 05:00" in description
    assert "Why you: Fair share: 2 duties in 26 weeks" in description
    assert "Details: https://rota.example.org/me/duties" in description
    assert len(events) == 3


def test_a_managers_override_and_a_swap_say_so_in_every_feed() -> None:
    import vobject

    marked = [
        Duty(**{**sample_duties()[0].__dict__, "source": "overridden"}),
        Duty(**{**sample_duties()[2].__dict__, "source": "swapped"}),
    ]
    for audience in ("personal", "rota", "public"):
        calendar = vobject.readOne(feed_render(spec(audience), marked).decode())
        first, second = (e.description.value for e in calendar.vevent_list)
        assert "Set by a rota manager (an override)" in first
        assert "Taken over in a swap." in second


def test_text_is_escaped_so_parsers_read_it_back_unchanged() -> None:
    tricky = "a;b,c\\d\nnew line\r\nand a bell\x07"
    person = DutyPerson(tricky, "UTC")
    body = feed_render(spec("rota"), [duty(1, person)])
    assert b"\x07" not in body  # RFC 5545 TEXT allows no control characters but HTAB
    assert "SUMMARY:a\\;b\\,c\\\\d\\nnew line\\nand a bell: " in body.decode()
    for events in (events_by_vobject(body), events_by_ical(body)):
        assert events["assignment-1@rota.example.org"].summary == (
            "a;b,c\\d\nnew line\nand a bell: PR review duty - PR review"
        )


def test_calendar_names_and_descriptions_are_escaped_too() -> None:
    named = FeedSpec(
        name="Core, docs; tools", description="a,b", audience="rota", host="h", link="https://h/"
    )
    body = feed_render(named, [duty(1, WANG)]).decode()
    for line in (
        "NAME:Core\\, docs\\; tools",
        "X-WR-CALNAME:Core\\, docs\\; tools",
        "DESCRIPTION:a\\,b",
        "X-WR-CALDESC:a\\,b",
    ):
        assert f"\r\n{line}\r\n" in body


def test_an_empty_feed_carries_the_utc_time_zone_and_every_parser_reads_it() -> None:
    """RFC 5545 section 3.6 wants at least one component in a calendar."""
    body = feed_render(spec(), [])
    text = body.decode()
    assert "BEGIN:VEVENT" not in text
    assert "BEGIN:VTIMEZONE\r\nTZID:UTC\r\n" in text
    assert "TZOFFSETTO:+0000\r\n" in text
    for read in (events_by_vobject, events_by_ical, events_by_icaljs, events_by_icalendar):
        assert read(body) == {}, read.__name__
    import icalendar

    calendar = icalendar.Calendar.from_ical(body)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]


def test_a_feed_with_duties_needs_no_time_zone() -> None:
    assert b"VTIMEZONE" not in feed_render(spec(), sample_duties())


@pytest.mark.parametrize("person", [WANG, VIJAY, ANA], ids=["chinese", "hindi", "emoji"])
def test_long_names_in_any_script_fold_at_75_octets_without_splitting_characters(
    person: DutyPerson,
) -> None:
    assert len(person.name.encode()) > 75
    body = feed_render(spec("rota"), [duty(1, person)])
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode()  # raises if a fold split a character
    for events in (events_by_vobject(body), events_by_ical(body)):
        assert events["assignment-1@rota.example.org"].summary.startswith(person.name)


def test_folded_lines_continue_with_a_single_space() -> None:
    body = feed_render(spec("rota"), [duty(1, WANG)])
    folded = body.split(b"\r\n ")
    assert len(folded) > 1
    assert not any(part.startswith(b" ") for part in folded[1:])


def test_reminder_adds_an_alarm_to_active_duties_only() -> None:
    body = feed_render(spec(reminder=24 * 60), sample_duties()).decode()
    assert body.count("BEGIN:VALARM") == 2  # not on the cancelled duty
    assert "TRIGGER:-P1D\r\n" in body
    assert "ACTION:DISPLAY\r\n" in body
    assert "VALARM" not in feed_render(spec(), sample_duties()).decode()


def test_cancelled_duty_is_marked_cancelled_with_its_raised_sequence() -> None:
    events = events_by_ical(feed_render(spec(), sample_duties()))
    cancelled = events["assignment-12@rota.example.org"]
    assert cancelled.status == "CANCELLED"
    assert cancelled.sequence == 3
    assert cancelled.summary.startswith("Cancelled: ")


def test_public_feed_shows_no_time_zones() -> None:
    public = DutyPerson("Ana", None)
    body = feed_render(spec("public"), [duty(1, public, others=((DutyPerson("Bo", None), "x"),))])
    text = body.decode().replace("\r\n ", "")
    assert "- Bo (x)\\n" in text
    assert "America/" not in text and "Asia/" not in text


def normalised(body: bytes) -> str:
    return re.sub(r"^DTSTAMP:\d{8}T\d{6}Z$", "DTSTAMP:<normalised>", body.decode(), flags=re.M)


@pytest.mark.parametrize(
    ("name", "feed_spec", "duties"),
    [
        ("personal", spec(reminder=60), sample_duties()),
        ("rota", spec("rota"), sample_duties()),
        (
            "public",
            spec("public"),
            [
                duty(
                    21,
                    DutyPerson("王小明", None),
                    others=((DutyPerson("Ana 🦊", None), "reviewer"),),
                )
            ],
        ),
    ],
)
def test_feed_matches_its_golden_file(name: str, feed_spec: FeedSpec, duties: list[Duty]) -> None:
    """Set UPDATE_GOLDEN=1 to rewrite tests/feeds/golden/*.ics after an intended change."""
    path = GOLDEN / f"{name}.ics"
    rendered = normalised(feed_render(feed_spec, duties))
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(rendered.encode())
    assert rendered == path.read_bytes().decode()
