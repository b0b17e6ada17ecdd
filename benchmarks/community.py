"""Synthetic multi-rota communities: the same people on review, release and triage.

Three rotas planned together: review (two reviewer seats a week, handoff Monday 09:00
Europe/Berlin, `min_coverage_hours` 14), release (a lead and a shadow for a week every four
weeks, Tuesday 09:00 UTC) and triage (one seat a week, Monday 09:00 Europe/Berlin). Everyone
serves one rota and a third serve two. People serving two rotas carry limits across rotas: one
duty of any kind every two weeks (three for a tenth of them), and a fifth of them at most three
duties in any 13 weeks. A fifth give half a share, a tenth a quarter, one in twenty a cap of
one duty a quarter. History is known only as counts per person and rota, uneven (a keen few did
most). A tenth join during the horizon. Zones, working hours, organisations and time off follow
`benchmarks.instances`.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from benchmarks.instances import START, TEMPLATE_WEIGHTS, TEMPLATES, ZONES, _time_off
from rota.engine import (
    Eligibility,
    PastCount,
    Person,
    PersonLimits,
    Problem,
    RotaRules,
    Slot,
    release_slot,
    weekly_slots,
)

ROTAS = ("review", "release", "triage")
ROLES = {
    "review": frozenset({"reviewer"}),
    "release": frozenset({"lead", "shadow"}),
    "triage": frozenset({"triager"}),
}
PRIMARY_WEIGHTS = (55, 15, 30)


def community(volunteers: int, weeks: int, seed: int = 1) -> Problem:
    rng = random.Random(seed * 7_000_003 + volunteers * 1013 + weeks)
    zone_names = [z for z, _ in ZONES]
    zone_weights = [w for _, w in ZONES]
    companies = [f"company-{i:02d}" for i in range(max(3, volunteers // 12))]
    company_weights = [1 / (i + 1) for i in range(len(companies))]
    people = []
    for i in range(volunteers):
        primary = rng.choices(ROTAS, PRIMARY_WEIGHTS)[0]
        rotas = [primary]
        if rng.random() < 1 / 3:
            rotas.append(rng.choice([r for r in ROTAS if r != primary]))
        veteran = rng.random() < 0.6
        joined = None
        if not veteran and rng.random() < 0.25:
            joined = START + timedelta(weeks=rng.randint(1, max(1, weeks - 4)))
        eligibility = []
        counts = []
        for rota in rotas:
            roles = ROLES[rota]
            if rota == "release" and not veteran:
                roles = frozenset({"shadow"})
            spacing = 1 if rota == "release" else min(4, max(1, volunteers // 40))
            eligibility.append(Eligibility(rota, roles, spacing))
            if veteran:
                keen = rng.random() < 0.2
                done = rng.randint(3, 12) if keen else rng.randint(0, 3)
                if rota == "release":
                    done = min(done, 4)
                counts.append(PastCount(rota, done, 52))
        limits = PersonLimits()
        if len(rotas) == 2:
            limits = PersonLimits(
                min_weeks_between=3 if rng.random() < 0.1 else 2,
                max_duties=3 if rng.random() < 0.2 else None,
                per_weeks=13,
            )
            if limits.max_duties is None:
                limits = PersonLimits(min_weeks_between=limits.min_weeks_between)
        roll = rng.random()
        share, per_quarter = 1.0, None
        if roll < 0.2:
            share = 0.5
        elif roll < 0.3:
            share = 0.25
        elif roll < 0.35:
            per_quarter = 1
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
                eligibility=tuple(eligibility),
                joined=joined,
                share=share,
                max_per_quarter=per_quarter,
                limits=limits,
                past_counts=tuple(counts),
            )
        )
    end = START + timedelta(weeks=weeks)
    review = weekly_slots(
        "review", 0, time(9), "Europe/Berlin", START, end, ("reviewer", "reviewer")
    )
    triage = weekly_slots("triage", 0, time(9), "Europe/Berlin", START, end, ("triager",))
    releases: list[Slot] = []
    day: date = START.date() + timedelta(days=1)
    n = 0
    while day + timedelta(days=7) <= end.date():
        releases.append(
            release_slot("release", f"27.{n}", day, 7, time(9), "UTC", ("lead", "shadow"))
        )
        day += timedelta(weeks=4)
        n += 1
    rules = (
        RotaRules("review", "review", min_coverage_hours=14),
        RotaRules("release", "release", lead_requires_shadow=False),
        RotaRules("triage", "triage"),
    )
    return Problem(
        rotas=rules,
        people=tuple(people),
        slots=(*review, *releases, *triage),
        seed=seed,
        now=START,
    )
