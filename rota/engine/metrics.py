"""Measuring a plan, whoever made it: fairness, coverage, organisations, stability, rule breaks.

`evaluate` re-checks every hard rule from scratch, so it can judge plans from other planners
too (the benchmark's baselines).
"""

from __future__ import annotations

from rota.engine.availability import popcount
from rota.engine.context import Context
from rota.engine.fairness import gini
from rota.engine.model import (
    Assignment,
    Metrics,
    OrganisationMetrics,
    PersonMetrics,
    Problem,
    SlotMetrics,
)
from rota.engine.roster import ORIGIN_NEW, Roster


def evaluate(
    problem: Problem, assignments: tuple[Assignment, ...], ctx: Context | None = None
) -> Metrics:
    ctx = ctx or Context(problem)
    roster = Roster(ctx)
    violations = _place_and_check(ctx, roster, assignments)
    kept_set = {(a.slot_id, a.person_id, a.role) for a in assignments}
    for a in problem.frozen:
        if (a.slot_id, a.person_id, a.role) not in kept_set:
            violations.append(f"frozen {a.person_id} on {a.slot_id} as {a.role} was not kept")
    # a seat taken over by a frozen assignment (an accepted swap, an override) is not the
    # planner's change
    frozen_seats = {(a.slot_id, a.role) for a in problem.frozen}
    previous = [
        a
        for a in problem.previous
        if a.slot_id in ctx.slot_index and (a.slot_id, a.role) not in frozen_seats
    ]
    kept = sum(1 for a in previous if (a.slot_id, a.person_id, a.role) in kept_set)

    people = _people_metrics(ctx, roster)
    deviations = [m.deviation for m in people]
    ratios = [m.load / m.fair_share for m in people if m.fair_share > 0]
    slots, coverage, org_conflicts, leads_unqualified = _slot_metrics(ctx, roster)
    organisations = _organisation_metrics(ctx, roster, people)
    return Metrics(
        people=tuple(people),
        slots=tuple(slots),
        organisations=tuple(organisations),
        worst_deviation=max((abs(d) for d in deviations), default=0.0),
        spread=(max(deviations) - min(deviations)) if deviations else 0.0,
        gini=gini(ratios),
        min_coverage_hours=min(coverage, default=0),
        mean_coverage_hours=sum(coverage) / len(coverage) if coverage else 0.0,
        worst_organisation_deviation=max((abs(o.deviation) for o in organisations), default=0.0),
        kept=kept,
        changed=len(previous) - kept,
        hard_violations=len(violations),
        violations=tuple(violations),
        unfilled=sum(1 for seats in roster.seats for p in seats if p < 0),
        organisation_conflicts=org_conflicts,
        leads_without_shadow=leads_unqualified,
    )


def _place_and_check(
    ctx: Context, roster: Roster, assignments: tuple[Assignment, ...]
) -> list[str]:
    violations: list[str] = []
    placed = []
    for a in assignments:
        s = ctx.slot_index.get(a.slot_id)
        p = ctx.person_index.get(a.person_id)
        if s is None or p is None:
            violations.append(f"{a.person_id} on {a.slot_id}: unknown person or slot")
            continue
        placed.append((s, a.role, p, a))
    placed.sort(key=lambda t: (t[0], t[1] != "lead", t[3].person_id))
    for s, role, p, a in placed:
        why = roster.refusal(p, s, role, org=False)
        k = roster.free_seat(s, role)
        if k < 0:
            violations.append(f"{a.person_id} on {a.slot_id}: no free {role} seat")
            continue
        if why is not None:
            violations.append(f"{a.person_id} on {a.slot_id} as {role}: {why}")
            if why == "already in the slot":
                continue
        roster.place(p, s, k, ORIGIN_NEW)
    return violations


def _people_metrics(ctx: Context, roster: Roster) -> list[PersonMetrics]:
    result = []
    for p, person in enumerate(ctx.people):
        rotas = ctx.eligibility[p]
        if not rotas:
            continue
        duties = sum(roster.count[r][p] for r in rotas)
        load = sum(roster.load[r][p] for r in rotas)
        share = sum(ctx.fair_share[r][p] for r in rotas)
        result.append(PersonMetrics(person.id, duties, load, share, load - share))
    return result


def _slot_metrics(ctx: Context, roster: Roster) -> tuple[list[SlotMetrics], list[int], int, int]:
    slots = []
    coverage: list[int] = []
    all_coverage: list[int] = []
    org_conflicts = 0
    leads_unqualified = 0
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        seats = roster.seats[s]
        mask = roster.mask(s)
        hours = popcount(mask)
        filled = [p for p in seats if p >= 0]
        slots.append(SlotMetrics(slot.id, len(seats), len(filled), hours, mask))
        all_coverage.append(hours)
        if ctx.rules[slot.rota].kind == "review" and len(seats) >= 2:
            coverage.append(hours)
        if ctx.rules[slot.rota].one_per_organisation:
            orgs = [roster.organisation[p] for p in filled]
            org_conflicts += len(orgs) - len(set(orgs))
        for k, p in enumerate(seats):
            if p >= 0 and slot.roles[k] == "lead" and not roster.shadow_qualified(p, s):
                leads_unqualified += 1
    return slots, coverage or all_coverage, org_conflicts, leads_unqualified


def _organisation_metrics(
    ctx: Context, roster: Roster, people: list[PersonMetrics]
) -> list[OrganisationMetrics]:
    by_org: dict[str, list[float]] = {}
    for m in people:
        p = ctx.person_index[m.person_id]
        entry = by_org.setdefault(ctx.people[p].organisation, [0.0, 0.0, 0.0])
        entry[0] += m.duties
        entry[1] += m.load
        entry[2] += m.fair_share
    total_load = sum(e[1] for e in by_org.values())
    total_share = sum(e[2] for e in by_org.values())
    result = []
    for org, (duties, load, share) in sorted(by_org.items()):
        actual = load / total_load if total_load > 0 else 0.0
        expected = share / total_share if total_share > 0 else 0.0
        result.append(OrganisationMetrics(org, int(duties), actual, expected, actual - expected))
    return result
