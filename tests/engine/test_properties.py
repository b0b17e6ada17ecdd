"""Properties that hold for every small problem hypothesis can think of."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rota.engine import Assignment, PastDuty, Plan, Problem, RotaRules, plan, release_slot
from tests.engine.engine_factories import MONDAY, person, problem, review_weeks, utc, week

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")
SMALL = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    weeks = draw(st.integers(2, 8))
    seats = draw(st.integers(1, 2))
    people = []
    for i in range(draw(st.integers(1, 6))):
        off_weeks = draw(st.lists(st.integers(0, weeks - 1), max_size=3, unique=True))
        people.append(
            person(
                f"p{i}",
                zone=draw(st.sampled_from(ZONES)),
                organisation=f"org{draw(st.integers(0, 2))}",
                off=tuple(week(w) for w in sorted(off_weeks)),
                every=draw(st.integers(1, 3)),
                cap=draw(st.none() | st.integers(0, 3)),
            )
        )
    rules = RotaRules(
        "review",
        "review",
        min_rest=timedelta(hours=draw(st.sampled_from([0, 0, 48]))),
        one_per_organisation=draw(st.booleans()),
        min_coverage_hours=draw(st.sampled_from([0, 12])),
    )
    return problem(
        people, review_weeks(weeks, seats=seats), rules=(rules,), seed=draw(st.integers(0, 3))
    )


def by_person(result: Plan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for a in result.assignments:
        found.setdefault(a.person_id, []).append(a.slot_id)
    return found


@SMALL
@given(problems())
def test_every_plan_breaks_no_hard_rule(p: Problem) -> None:
    result = plan(p)
    assert result.metrics.hard_violations == 0, result.metrics.violations
    filled = len(result.assignments) + len(result.unfilled)
    assert filled == sum(len(s.roles) for s in p.slots)


@SMALL
@given(problems())
def test_nobody_is_booked_twice_in_a_slot_or_on_a_week_off(p: Problem) -> None:
    result = plan(p)
    pairs = [(a.slot_id, a.person_id) for a in result.assignments]
    assert len(pairs) == len(set(pairs))
    slots = {s.id: s for s in p.slots}
    people = {x.id: x for x in p.people}
    for a in result.assignments:
        slot = slots[a.slot_id]
        for off in people[a.person_id].unavailable:
            assert not (off.start <= slot.start and slot.end <= off.end)


@SMALL
@given(problems())
def test_capacity_is_kept(p: Problem) -> None:
    result = plan(p)
    starts = {s.id: s.start for s in p.slots}
    for pid, slot_ids in by_person(result).items():
        elig = next(x for x in p.people if x.id == pid).eligibility[0]
        if elig.max_duties is not None:
            assert len(slot_ids) <= elig.max_duties
        times = sorted(starts[s] for s in slot_ids)
        for a, b in itertools.pairwise(times):
            assert b - a >= timedelta(weeks=elig.min_weeks_between) - timedelta(hours=1)


@SMALL
@given(problems(), st.data())
def test_frozen_assignments_are_always_kept(p: Problem, data: st.DataObject) -> None:
    first = plan(p)
    frozen = tuple(a for a in first.assignments if data.draw(st.booleans()))
    again = plan(Problem(p.rotas, p.people, p.slots, frozen=frozen, seed=p.seed + 1, now=p.now))
    assert set(frozen) <= set(again.assignments)
    assert again.metrics.hard_violations == 0


@SMALL
@given(problems())
def test_the_same_problem_gives_the_same_plan(p: Problem) -> None:
    assert plan(p) == plan(p)


@SMALL
@given(problems(), st.data())
def test_one_new_week_off_changes_only_what_it_must_and_a_few_moves(
    p: Problem, data: st.DataObject
) -> None:
    first = plan(p)
    if not first.assignments:
        return
    hit: Assignment = data.draw(st.sampled_from(first.assignments))
    slot = next(s for s in p.slots if s.id == hit.slot_id)
    people = tuple(
        x
        if x.id != hit.person_id
        else person(
            x.id,
            zone=x.zone,
            organisation=x.organisation,
            off=(*((i.start, i.end) for i in x.unavailable), (slot.start, slot.end)),
            every=x.eligibility[0].min_weeks_between,
            cap=x.eligibility[0].max_duties,
        )
        for x in p.people
    )
    changed = Problem(p.rotas, people, p.slots, previous=first.assignments, seed=p.seed, now=p.now)
    again = plan(changed)
    assert hit not in again.assignments
    assert again.metrics.hard_violations == 0
    conflicting = sum(
        1 for a in first.assignments if a.person_id == hit.person_id and a.slot_id == hit.slot_id
    )
    assert again.metrics.changed <= conflicting + 4
    assert slot.start >= MONDAY


@st.composite
def release_problems(draw: st.DrawFn) -> Problem:
    roles = ("lead", "shadow")
    releases = draw(st.integers(1, 4))
    slots = tuple(
        release_slot(
            "release", f"1.{n}", date(2026, 2, 4) + timedelta(weeks=4 * n), 7, time(9), "UTC", roles
        )
        for n in range(releases)
    )
    people = []
    for i in range(draw(st.integers(1, 5))):
        shadowed = draw(st.booleans())
        history = (
            (PastDuty("release", utc(2025, 6, 2), utc(2025, 6, 9), "shadow"),) if shadowed else ()
        )
        people.append(
            person(
                f"r{i}",
                rota="release",
                roles=draw(st.sampled_from([("lead", "shadow"), ("shadow",), ("lead",)])),
                every=draw(st.integers(1, 8)),
                history=history,
                off=tuple((s.start, s.end) for s in slots if draw(st.integers(0, 4)) == 0),
            )
        )
    return problem(people, slots, rules=(RotaRules("release", "release"),))


@SMALL
@given(release_problems())
def test_release_plans_keep_the_rules_and_explain_every_unqualified_lead(p: Problem) -> None:
    result = plan(p)
    assert result.metrics.hard_violations == 0, result.metrics.violations
    unqualified = [
        e for e in result.explanations if e.role == "lead" and "not been shadow before" in e.text
    ]
    assert len(unqualified) == result.metrics.leads_without_shadow
    for e in unqualified:
        slot = next(s for s in p.slots if s.id == e.slot_id)
        # nobody who had shadowed (in history) was free to lead instead
        for x in p.people:
            if x.history and "lead" in x.eligibility[0].roles and x.id != e.person_id:
                busy = any(a.person_id == x.id and a.slot_id == slot.id for a in result.assignments)
                off = any(i.start <= slot.start and slot.end <= i.end for i in x.unavailable)
                assert busy or off or x.eligibility[0].min_weeks_between > 1
