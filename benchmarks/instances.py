"""Synthetic but realistic planning instances for the benchmark.

Volunteers come from a weighted mix of time zones (Europe and the Americas heavy, India, East
Asia and Oceania present), half from a long tail of companies and half independent (each
independent volunteer is an organisation of one). Time off clusters around late December and
August, plus a scattering of single weeks. A year of history was done unevenly by the
veterans; about a fifth of the newcomers join during the horizon; some volunteers serve at most
every eight weeks or at most once or twice.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from rota.engine import (
    Eligibility,
    Interval,
    PastDuty,
    Person,
    Problem,
    RotaRules,
    Window,
    weekly_slots,
)

ZONES: tuple[tuple[str, float], ...] = (
    ("Europe/Berlin", 14),
    ("Europe/London", 8),
    ("Europe/Paris", 6),
    ("Europe/Warsaw", 4),
    ("America/New_York", 11),
    ("America/Chicago", 5),
    ("America/Los_Angeles", 9),
    ("America/Sao_Paulo", 5),
    ("Asia/Kolkata", 10),
    ("Asia/Kathmandu", 1),
    ("Asia/Shanghai", 6),
    ("Asia/Tokyo", 4),
    ("Australia/Sydney", 4),
    ("Australia/Lord_Howe", 0.3),
    ("Pacific/Auckland", 2),
    ("Africa/Lagos", 3),
    ("Europe/Moscow", 2),
)

WEEKDAYS = range(5)
TEMPLATES: tuple[tuple[Window, ...], ...] = (
    tuple(Window(d, time(9), time(17)) for d in WEEKDAYS),
    tuple(Window(d, time(8), time(16)) for d in WEEKDAYS),
    tuple(Window(d, time(10), time(18)) for d in WEEKDAYS),
    tuple(Window(d, time(13), time(21)) for d in WEEKDAYS),
    (*(Window(d, time(19), time(23)) for d in WEEKDAYS), Window(5, time(10), time(16))),
)
TEMPLATE_WEIGHTS = (40, 20, 20, 10, 10)
START = datetime(2027, 1, 4, tzinfo=UTC)


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _time_off(rng: random.Random, weeks: int) -> tuple[Interval, ...]:
    intervals = []
    first = START.date()
    last = first + timedelta(weeks=weeks)
    for year in range(first.year - 1, last.year + 1):
        if rng.random() < 0.7:
            begin = date(year, 12, 18) + timedelta(days=rng.randint(0, 8))
            intervals.append((begin, begin + timedelta(days=rng.randint(7, 16))))
        if rng.random() < 0.5:
            begin = date(year, 7, 25) + timedelta(days=rng.randint(0, 20))
            intervals.append((begin, begin + timedelta(days=rng.randint(7, 21))))
    for _ in range(rng.randint(0, weeks // 26 + 1)):
        begin = first + timedelta(days=rng.randint(0, weeks * 7))
        intervals.append((begin, begin + timedelta(days=rng.randint(2, 7))))
    return tuple(Interval(_utc(a), _utc(b)) for a, b in sorted(intervals) if b > first and a < last)


def _history(rng: random.Random, veterans: list[int], weeks_back: int) -> dict[int, list[PastDuty]]:
    """A year of past review weeks, done unevenly by the veterans (some did far more)."""
    history: dict[int, list[PastDuty]] = {}
    keen = veterans[: max(2, len(veterans) // 5)]
    for w in range(weeks_back, 0, -1):
        start = START - timedelta(weeks=w)
        pool = keen if rng.random() < 0.6 else veterans
        for p in rng.sample(pool, min(2, len(pool))):
            duty = PastDuty("review", start, start + timedelta(weeks=1), "reviewer")
            history.setdefault(p, []).append(duty)
    return history


def instance(volunteers: int, weeks: int, seed: int = 1) -> Problem:
    rng = random.Random(seed * 1_000_003 + volunteers * 1009 + weeks)
    zone_names = [z for z, _ in ZONES]
    zone_weights = [w for _, w in ZONES]
    companies = [f"company-{i:02d}" for i in range(max(3, volunteers // 12))]
    company_weights = [1 / (i + 1) for i in range(len(companies))]
    veterans = [i for i in range(volunteers) if rng.random() < 0.6]
    history = _history(rng, veterans, 52)
    people = []
    for i in range(volunteers):
        joined = None
        if i not in veterans and rng.random() < 0.5:
            joined = START + timedelta(weeks=rng.randint(1, max(1, weeks - 4)))
        spacing = min(4, max(1, volunteers // 25))
        if rng.random() < 0.15:
            spacing = 8
        cap = rng.randint(1, 2) if rng.random() < 0.1 else None
        if rng.random() < 0.5:
            organisation = rng.choices(companies, company_weights)[0]
        else:
            organisation = f"independent-{i:05d}"
        people.append(
            Person(
                id=f"v{i:05d}",
                zone=rng.choices(zone_names, zone_weights)[0],
                organisation=organisation,
                windows=rng.choices(TEMPLATES, TEMPLATE_WEIGHTS)[0],
                unavailable=_time_off(rng, weeks),
                eligibility=(Eligibility("review", frozenset({"reviewer"}), spacing, cap),),
                history=tuple(history.get(i, ())),
                joined=joined,
            )
        )
    slots = weekly_slots(
        "review",
        0,
        time(9),
        "Europe/Berlin",
        START,
        START + timedelta(weeks=weeks),
        ("reviewer", "reviewer"),
    )
    rules = RotaRules("review", "review", min_coverage_hours=14)
    return Problem(rotas=(rules,), people=tuple(people), slots=slots, seed=seed, now=START)
