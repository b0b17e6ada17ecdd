from __future__ import annotations

from datetime import time, timedelta

import pytest

from rota.engine import (
    Assignment,
    Eligibility,
    PastDuty,
    Problem,
    RotaRules,
    Window,
    plan,
    release_slot,
)
from tests.engine.engine_factories import MONDAY, person, problem, review_weeks, utc, week


def duties_of(result_plan: object, pid: str) -> list[str]:
    return [a.slot_id for a in result_plan.assignments if a.person_id == pid]  # type: ignore[attr-defined]


def test_nobody_is_on_duty_during_their_time_off() -> None:
    people = [person("ana", off=(week(0),)), person("ben"), person("cai")]
    result = plan(problem(people, review_weeks(3)))
    assert "review:2026-01-05" not in duties_of(result, "ana")
    assert result.metrics.hard_violations == 0


@pytest.mark.parametrize(
    ("off_days", "available"),
    [(2, True), (3, False)],
    ids=["two_days_off_of_five_leaves_enough", "three_days_off_of_five_is_too_many"],
)
def test_availability_needs_half_the_working_time_free(off_days: int, available: bool) -> None:
    ana = person("ana", off=((MONDAY, MONDAY + timedelta(days=off_days)),))
    result = plan(problem([ana], review_weeks(1)))
    assert (duties_of(result, "ana") == ["review:2026-01-05"]) is available


def test_someone_with_no_working_hours_in_the_slot_counts_as_unavailable() -> None:
    weekend_only = person("ana", windows=(Window(5, time(10), time(14)),))
    weekday_slot = review_weeks(1)[0]
    short = type(weekday_slot)(
        weekday_slot.id, "review", MONDAY, MONDAY + timedelta(days=2), ("reviewer",)
    )
    result = plan(problem([weekend_only], (short,)))
    assert result.assignments == ()
    assert result.unfilled[0].reason == "nobody available: 1 no working hours in the slot"


@pytest.mark.parametrize(
    ("people", "weeks", "expected_unfilled"),
    [
        # one person who may serve every 2 weeks cannot take two weeks in a row
        ([person("ana", every=2)], 2, 1),
        # a cap of one duty over the horizon
        ([person("ana", cap=1)], 3, 2),
        # not opted into the role of the seat
        ([person("ana", roles=("triager",))], 1, 1),
    ],
    ids=["min_weeks_between", "max_duties", "role_not_opted_into"],
)
def test_capacity_and_opt_in_are_never_exceeded(
    people: list[object], weeks: int, expected_unfilled: int
) -> None:
    result = plan(problem(people, review_weeks(weeks)))  # type: ignore[arg-type]
    assert len(result.unfilled) == expected_unfilled
    assert result.metrics.hard_violations == 0


def test_unfilled_seats_say_why_everyone_was_left_out() -> None:
    people = [
        person("ana", off=(week(0),)),
        person("ben", off=(week(0),)),
        person("cai", roles=("triager",)),
        person("dan", cap=0),
    ]
    result = plan(problem(people, review_weeks(1)))
    assert [u.reason for u in result.unfilled] == [
        "nobody available: 2 on time off, 1 not opted into the role, 1 at capacity"
    ]


def test_min_rest_keeps_a_gap_between_duties_of_different_rotas() -> None:
    rules = (
        RotaRules("review", "review", min_rest=timedelta(days=2)),
        RotaRules("triage", "triage"),
    )
    ana = person("ana", extra=(Eligibility("triage", frozenset({"triager"})),))
    triage = review_weeks(1)[0]
    triage_slot = type(triage)(
        "triage:1", "triage", MONDAY - timedelta(days=3), MONDAY - timedelta(days=1), ("triager",)
    )
    result = plan(problem([ana], (*review_weeks(1), triage_slot), rules=rules))
    assert len(result.assignments) == 1
    assert result.unfilled[0].reason.startswith("nobody available: 1 needs rest")


def test_nobody_sits_twice_in_one_slot() -> None:
    result = plan(problem([person("ana")], review_weeks(1, seats=2)))
    assert duties_of(result, "ana") == ["review:2026-01-05"]
    assert result.unfilled[0].reason == "nobody available: 1 already in the slot"


def test_one_per_organisation_holds_when_another_organisation_can_serve() -> None:
    people = [person("ana", organisation="acme"), person("ben", organisation="acme")]
    people.append(person("cai", organisation="other"))
    result = plan(problem(people, review_weeks(4, seats=2)))
    for slot in review_weeks(4, seats=2):
        orgs = [
            "acme" if a.person_id in ("ana", "ben") else "other"
            for a in result.assignments
            if a.slot_id == slot.id
        ]
        assert sorted(orgs) == ["acme", "other"]
    assert result.metrics.organisation_conflicts == 0


def test_one_per_organisation_is_relaxed_and_reported_when_it_cannot_be_kept() -> None:
    people = [person("ana", organisation="acme"), person("ben", organisation="acme")]
    result = plan(problem(people, review_weeks(1, seats=2)))
    assert len(result.assignments) == 2
    assert result.metrics.organisation_conflicts == 1
    assert any("share an organisation" in e.text for e in result.explanations)


def test_frozen_assignments_are_kept_exactly_and_count_toward_capacity() -> None:
    frozen = (Assignment("review:2026-01-05", "ana", "reviewer"),)
    people = [person("ana", every=2, off=(week(0),)), person("ben")]
    result = plan(problem(people, review_weeks(2), frozen=frozen))
    assert Assignment("review:2026-01-05", "ana", "reviewer") in result.assignments
    assert duties_of(result, "ana") == ["review:2026-01-05"]  # not again in week 1
    assert any("fixed before planning" in e.text for e in result.explanations)


def test_duties_are_spread_evenly_over_equally_available_people() -> None:
    people = [person(pid) for pid in ("ana", "ben", "cai", "dan")]
    result = plan(problem(people, review_weeks(12)))
    assert sorted(len(duties_of(result, p.id)) for p in people) == [3, 3, 3, 3]
    assert result.metrics.worst_deviation == pytest.approx(0.0, abs=1e-9)


def test_fair_share_shrinks_with_time_off_and_the_plan_follows_it() -> None:
    away = person("ana", off=((MONDAY, MONDAY + timedelta(weeks=6)),))
    people = [away, person("ben"), person("cai")]
    result = plan(problem(people, review_weeks(12)))
    shares = {m.person_id: m for m in result.metrics.people}
    assert shares["ana"].fair_share == pytest.approx(6 / 3)
    assert shares["ben"].fair_share == pytest.approx(6 / 2 + 6 / 3)
    assert result.metrics.worst_deviation < 1


def test_recent_history_counts_more_than_old_history() -> None:
    recent = (PastDuty("review", MONDAY - timedelta(weeks=1), MONDAY, "reviewer"),)
    old = (
        PastDuty(
            "review", MONDAY - timedelta(weeks=104), MONDAY - timedelta(weeks=103), "reviewer"
        ),
    )
    people = [person("ana", history=recent), person("ben", history=old)]
    result = plan(problem(people, review_weeks(1)))
    assert duties_of(result, "ben") == ["review:2026-01-05"]
    loads = {m.person_id: m.load for m in result.metrics.people}
    assert loads["ana"] == pytest.approx(0.5 ** (1 / 26))


def test_review_weeks_pair_people_whose_hours_cover_the_clock() -> None:
    people = [
        person("berlin", zone="Europe/Berlin", organisation="a"),
        person("paris", zone="Europe/Paris", organisation="b"),
        person("sydney", zone="Australia/Sydney", organisation="c"),
    ]
    rules = (RotaRules("review", "review", min_coverage_hours=12),)
    result = plan(problem(people, review_weeks(1, seats=2), rules=rules, seed=0))
    assert "sydney" in {a.person_id for a in result.assignments}
    assert result.metrics.min_coverage_hours == 16
    assert result.metrics.slots[0].covered_hours == 16


def release_problem(history_shadow: bool) -> Problem:
    history = (
        (PastDuty("release", utc(2025, 6, 1), utc(2025, 6, 8), "shadow"),) if history_shadow else ()
    )
    people = [
        person("ana", rota="release", roles=("lead", "shadow")),
        person("ben", rota="release", roles=("lead", "shadow"), history=history),
    ]
    slots = (
        release_slot(
            "release", "6.0", utc(2026, 1, 14).date(), 7, time(9), "UTC", ("lead", "shadow")
        ),
    )
    return problem(people, slots, rules=(RotaRules("release", "release"),))


def test_release_lead_goes_to_someone_who_has_been_shadow_before() -> None:
    result = plan(release_problem(history_shadow=True))
    assert Assignment("release:6.0", "ben", "lead") in result.assignments
    assert Assignment("release:6.0", "ana", "shadow") in result.assignments
    assert result.metrics.leads_without_shadow == 0


def test_release_lead_is_filled_anyway_and_explained_when_nobody_has_shadowed() -> None:
    result = plan(release_problem(history_shadow=False))
    assert len(result.assignments) == 2
    assert result.metrics.leads_without_shadow == 1
    lead = next(e for e in result.explanations if e.role == "lead")
    assert "not been shadow before" in lead.text


def test_the_same_problem_always_gives_the_same_plan() -> None:
    people = [person(f"p{i}", zone=z) for i, z in enumerate(["UTC", "Asia/Tokyo"] * 4)]
    first = plan(problem(people, review_weeks(10, seats=2), seed=7))
    second = plan(problem(people, review_weeks(10, seats=2), seed=7))
    assert first == second


def test_the_seed_only_breaks_ties() -> None:
    people = [person(f"p{i}") for i in range(6)]
    plans = {plan(problem(people, review_weeks(1), seed=seed)).assignments for seed in range(8)}
    assert len(plans) > 1
    for seed in range(4):
        assert plan(problem(people, review_weeks(6), seed=seed)).metrics.worst_deviation < 1e-9


def test_replanning_with_nothing_changed_keeps_every_assignment() -> None:
    people = [person(f"p{i}", every=2) for i in range(7)]
    first = plan(problem(people, review_weeks(20, seats=2)))
    again = plan(problem(people, review_weeks(20, seats=2), previous=first.assignments))
    assert again.assignments == first.assignments
    assert (again.metrics.kept, again.metrics.changed) == (40, 0)


def test_new_time_off_changes_only_the_conflicting_duty_and_a_few_moves() -> None:
    people = [person(f"p{i}") for i in range(8)]
    first = plan(problem(people, review_weeks(26, seats=2)))
    taken = next(a for a in first.assignments if a.person_id == "p3")
    index = int((utc(*map(int, taken.slot_id.split(":")[1].split("-"))) - MONDAY).days / 7)
    people[3] = person("p3", off=(week(index),))
    again = plan(problem(people, review_weeks(26, seats=2), previous=first.assignments))
    assert taken not in again.assignments
    assert 1 <= again.metrics.changed <= 4
    assert again.metrics.worst_deviation <= first.metrics.worst_deviation + 1


def test_each_assignment_explains_why_this_person_and_this_week() -> None:
    people = [person("ana", zone="Europe/Berlin"), person("ben", zone="Asia/Tokyo")]
    result = plan(problem(people, review_weeks(1, seats=2)))
    assert len(result.explanations) == 2
    for explanation in result.explanations:
        assert "of the 2 people available then" in explanation.text
        assert explanation.text.startswith("As reviewer: ")
        assert "fair share" in explanation.text
        assert "nobody else on this slot covers" in explanation.text


def test_a_slot_of_a_rota_without_rules_is_reported_unfilled() -> None:
    slots = (
        *review_weeks(1),
        type(review_weeks(1)[0])("x:1", "x", MONDAY, MONDAY + timedelta(days=7), ("a",)),
    )
    result = plan(problem([person("ana")], slots))
    assert [(u.slot_id, u.reason) for u in result.unfilled] == [
        ("x:1", "no rules given for rota 'x'")
    ]


def test_a_shadow_earlier_in_the_plan_qualifies_for_a_later_lead() -> None:
    people = [
        person("ana", rota="release", roles=("lead", "shadow")),
        person("ben", rota="release", roles=("lead", "shadow")),
        person("cai", rota="release", roles=("lead", "shadow")),
    ]
    roles = ("lead", "shadow")
    slots = (
        release_slot("release", "6.0", utc(2026, 1, 14).date(), 7, time(9), "UTC", roles),
        release_slot("release", "6.1", utc(2026, 2, 11).date(), 7, time(9), "UTC", roles),
    )
    result = plan(problem(people, slots, rules=(RotaRules("release", "release"),)))
    first_shadow = next(
        a.person_id for a in result.assignments if a.slot_id == "release:6.0" and a.role == "shadow"
    )
    assert Assignment("release:6.1", first_shadow, "lead") in result.assignments
    assert result.metrics.leads_without_shadow == 1  # only the very first release


def test_organisation_shares_follow_the_share_of_available_volunteers() -> None:
    people = [person(f"a{i}", organisation="acme") for i in range(3)]
    people.append(person("solo", organisation="solo"))
    result = plan(problem(people, review_weeks(8)))
    shares = {o.organisation: o for o in result.metrics.organisations}
    assert shares["acme"].expected_share == pytest.approx(0.75)
    assert shares["acme"].share == pytest.approx(0.75)
    assert result.metrics.worst_organisation_deviation == pytest.approx(0.0, abs=1e-9)


def test_a_previous_assignment_that_no_longer_fits_is_replaced_and_counted() -> None:
    people = [person("ana"), person("ben"), person("cai")]
    first = plan(problem(people, review_weeks(6)))
    gone = first.assignments[0].person_id
    people = [p if p.id != gone else person(gone, roles=("triager",)) for p in people]
    again = plan(problem(people, review_weeks(6), previous=first.assignments))
    assert all(a.person_id != gone for a in again.assignments)
    assert again.metrics.changed == sum(1 for a in first.assignments if a.person_id == gone)
    assert again.metrics.kept == 6 - again.metrics.changed


def test_an_accepted_swap_is_frozen_and_the_rest_of_the_previous_plan_stays() -> None:
    people = [person(f"p{i}") for i in range(4)]
    first = plan(problem(people, review_weeks(8, seats=2)))
    taken = first.assignments[0]
    swapped_in = next(
        p.id
        for p in people
        if p.id not in {a.person_id for a in first.assignments if a.slot_id == taken.slot_id}
    )
    frozen = (Assignment(taken.slot_id, swapped_in, taken.role),)
    # the stored plan already shows the swap; the swap is frozen so a re-plan cannot undo it
    previous = tuple(frozen[0] if a == taken else a for a in first.assignments)
    again = plan(problem(people, review_weeks(8, seats=2), frozen=frozen, previous=previous))
    assert frozen[0] in again.assignments
    others = [a for a in first.assignments if a.slot_id == taken.slot_id and a != taken]
    assert set(others) <= set(again.assignments)
    assert again.metrics.hard_violations == 0
    assert again.metrics.changed <= 3
