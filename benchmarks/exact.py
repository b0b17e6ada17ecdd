"""An exact reference: OR-Tools CP-SAT on the same hard rules as the engine.

Phase 1 minimises the worst deviation from fair share; phase 2 keeps that worst deviation and
maximises the minimum covered UTC hours of a slot, then the total. The "fair" variant puts a
phase in between that minimises the worst deviation among people a planner can still help,
which is what the engine also aims at. Each phase has a time limit;
the lower bound of phase 1 is reported so a timed-out run still says how good "best" can be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ortools.sat.python import cp_model

from rota.engine import Assignment, Problem
from rota.engine.context import Context
from rota.engine.roster import Roster

SCALE = 1000


@dataclass(frozen=True)
class ExactResult:
    assignments: tuple[Assignment, ...]
    deviation_bound: float
    status: str
    seconds: float


def solve_exact(
    problem: Problem, ctx: Context, time_limit: float, *, fair: bool = False
) -> ExactResult:
    """`fair`: between the two phases, also minimise the worst deviation among people a
    planner can still help (everyone except those above their share from history alone who
    get no duty), as the engine does, before maximising coverage."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_person: dict[int, list[int]] = {}
    empty = Roster(ctx)  # refuses what history, availability and opt-in already rule out
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        takers = []
        for p in ctx.members[slot.rota]:
            if empty.refusal(p, s, slot.roles[0], org=False) is None:
                x[p, s] = model.new_bool_var(f"x{p}_{s}")
                takers.append(p)
                by_person.setdefault(p, []).append(s)
        model.add(sum(x[p, s] for p in takers) == min(len(slot.roles), len(takers)))
        if ctx.rules[slot.rota].one_per_organisation:
            by_org: dict[str, list[int]] = {}
            for p in takers:
                by_org.setdefault(ctx.people[p].organisation, []).append(p)
            for group in by_org.values():
                if len(group) > 1:
                    model.add_at_most_one(x[p, s] for p in group)
    for p, slots in by_person.items():
        for i, s in enumerate(slots):
            rota = ctx.slots[s].rota
            elig = ctx.eligibility[p][rota]
            window = [x[p, s]]
            for t in slots[i + 1 :]:
                gap = (ctx.slots[t].start - ctx.slots[s].start).total_seconds() / 86400
                if round(gap) >= 7 * elig.min_weeks_between:
                    break
                window.append(x[p, t])
            if len(window) > 1:
                model.add_at_most_one(window)
            if elig.max_duties is not None and i == 0:
                model.add(sum(x[p, t] for t in slots) <= elig.max_duties)
    worst = model.new_int_var(0, 1000 * SCALE, "worst")
    movable = model.new_int_var(0, 1000 * SCALE, "movable")
    for rota, members in ctx.members.items():
        for p in members:
            share = round(ctx.fair_share[rota][p] * SCALE)
            base = round(ctx.history_load[rota][p] * SCALE)
            load = base + sum(
                round(ctx.slots[s].weight * SCALE) * x[p, s]
                for s in by_person.get(p, [])
                if ctx.slots[s].rota == rota
            )
            model.add(worst >= load - share)
            model.add(worst >= share - load)
            model.add(movable >= share - load)
            duties = [x[p, s] for s in by_person.get(p, []) if ctx.slots[s].rota == rota]
            if duties:
                serving = model.new_bool_var(f"serving{p}")
                model.add_max_equality(serving, duties)
                model.add(movable >= load - share).only_enforce_if(serving)
    model.minimize(worst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    seconds = solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult((), 0.0, solver.status_name(status), seconds)
    bound = solver.best_objective_bound / SCALE
    phase_one = solver.status_name(status)
    best_worst = round(solver.objective_value)
    for var in x.values():
        model.add_hint(var, solver.value(var))
    model.add(worst <= best_worst)
    if fair:
        model.minimize(movable)
        status = solver.solve(model)
        seconds += solver.wall_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            model.clear_hints()
            for var in x.values():
                model.add_hint(var, solver.value(var))
            model.add(movable <= round(solver.objective_value))
            phase_one += "/" + solver.status_name(status)
    coverage = _coverage_objective(model, ctx, x)
    model.maximize(coverage)
    status = solver.solve(model)
    seconds += solver.wall_time
    assignments = tuple(
        Assignment(ctx.slots[s].id, ctx.people[p].id, ctx.slots[s].roles[0])
        for (p, s), var in sorted(x.items(), key=lambda item: (item[0][1], item[0][0]))
        if solver.value(var)
    )
    return ExactResult(
        _seat_roles(ctx, assignments),
        bound,
        f"{phase_one}/{solver.status_name(status)}",
        seconds,
    )


def _coverage_objective(
    model: cp_model.CpModel, ctx: Context, x: dict[tuple[int, int], cp_model.IntVar]
) -> cp_model.LinearExpr:
    lowest = model.new_int_var(0, 24, "lowest")
    total = []
    by_slot: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    for (p, t), var in x.items():
        by_slot.setdefault(t, []).append((p, var))
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        if ctx.rules[slot.rota].kind != "review" or len(slot.roles) < 2:
            continue
        hours = []
        for h in range(24):
            bit = 1 << h
            covering = [var for p, var in by_slot.get(s, []) if ctx.works(p, s)[1] & bit]
            covered = model.new_bool_var(f"c{s}_{h}")
            if covering:
                model.add_bool_or(covering).only_enforce_if(covered)
            else:
                model.add(covered == 0)
            hours.append(covered)
        model.add(lowest <= sum(hours))
        total.extend(hours)
    return lowest * (len(total) + 1) + sum(total)


def _seat_roles(ctx: Context, assignments: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
    """Hand out each slot's roles in seat order (the exact model treats seats as alike)."""
    result = []
    used: dict[str, int] = {}
    for a in assignments:
        slot = ctx.slots[ctx.slot_index[a.slot_id]]
        k = used.get(a.slot_id, 0)
        used[a.slot_id] = k + 1
        result.append(Assignment(a.slot_id, a.person_id, slot.roles[min(k, len(slot.roles) - 1)]))
    return tuple(result)


def solve_joint(problem: Problem, ctx: Context, time_limit: float) -> ExactResult:
    """CP-SAT on a whole community: every rota at once, with the same joint rules as the
    engine (each rota's spacing and caps, limits across rotas, rest and overlaps between any
    two duties, caps per quarter, one seat per person per slot, one person per organisation).
    Pairwise rules are asked of the engine's own rule checker (`Roster.refusal`) so both
    sides read them alike; "K duties in any M weeks" is a sum over every M-week window.

    Phase 1 (60% of the time) fills as many seats as possible, then minimises the worst
    |deviation| of a person (all rotas added up, as the engine's metrics do); phase 2 keeps
    that worst and maximises the least-covered review week, then the total coverage.
    """
    model = cp_model.CpModel()
    roster = Roster(ctx)
    x: dict[tuple[int, int, str], cp_model.IntVar] = {}
    by_person: dict[int, list[tuple[int, str]]] = {}
    by_slot: dict[int, list[tuple[int, str, cp_model.IntVar]]] = {}
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        for role in sorted(set(slot.roles)):
            for p in ctx.members[slot.rota]:
                if roster.refusal(p, s, role, org=False) is None:
                    var = model.new_bool_var(f"x{p}_{s}_{role}")
                    x[p, s, role] = var
                    by_person.setdefault(p, []).append((s, role))
                    by_slot.setdefault(s, []).append((p, role, var))
    unfilled = []
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        entries = by_slot.get(s, [])
        for role in set(slot.roles):
            seats = slot.roles.count(role)
            taken = [var for _, r, var in entries if r == role]
            model.add(sum(taken) <= seats)
            gap = model.new_int_var(0, seats, f"u{s}_{role}")
            model.add(gap == seats - sum(taken))
            unfilled.append(gap)
        per_person: dict[int, list[cp_model.IntVar]] = {}
        per_org: dict[str, set[int]] = {}
        for p, _, var in entries:
            per_person.setdefault(p, []).append(var)
            per_org.setdefault(ctx.people[p].organisation, set()).add(p)
        for group in per_person.values():
            if len(group) > 1:
                model.add_at_most_one(group)
        if ctx.rules[slot.rota].one_per_organisation:
            for members in per_org.values():
                if len(members) > 1:
                    model.add(sum(var for p, _, var in entries if p in members) <= 1)
    for p, candidates in by_person.items():
        _pairwise_conflicts(model, ctx, roster, x, p, candidates)
        _windows_and_caps(model, ctx, roster, x, p, candidates)
    worst = model.new_int_var(0, 1000 * SCALE, "worst")
    for p in range(len(ctx.people)):
        rotas = ctx.eligibility[p]
        if not rotas:
            continue
        share = round(sum(ctx.fair_share[r][p] for r in rotas) * SCALE)
        base = round(sum(ctx.history_load[r][p] for r in rotas) * SCALE)
        load = base + sum(
            round(ctx.slots[s].weight * SCALE) * x[p, s, role] for s, role in by_person.get(p, [])
        )
        model.add(worst >= load - share)
        model.add(worst >= share - load)
    missing = sum(unfilled)
    model.minimize(missing * 1000 * SCALE + worst)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit * 0.6
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    seconds = solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult((), 0.0, solver.status_name(status), seconds)
    best_missing = round(solver.value(missing))
    bound = max(0.0, (solver.best_objective_bound - best_missing * 1000 * SCALE) / SCALE)
    phase_one = solver.status_name(status)
    best_worst = solver.value(worst)
    for var in x.values():
        model.add_hint(var, solver.value(var))
    model.add(missing <= best_missing)
    model.add(worst <= best_worst)
    model.maximize(_joint_coverage(model, ctx, by_slot))
    solver.parameters.max_time_in_seconds = time_limit * 0.4
    status = solver.solve(model)
    seconds += solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult((), bound, f"{phase_one}/{solver.status_name(status)}", seconds)
    assignments = []
    for s in range(ctx.horizon_count):
        for p, role, var in sorted(by_slot.get(s, []), key=lambda e: (e[1], e[0])):
            if solver.value(var):
                assignments.append(Assignment(ctx.slots[s].id, ctx.people[p].id, role))
    return ExactResult(
        tuple(assignments), bound, f"{phase_one}/{solver.status_name(status)}", seconds
    )


def _pairwise_conflicts(
    model: cp_model.CpModel,
    ctx: Context,
    roster: Roster,
    x: dict[tuple[int, int, str], cp_model.IntVar],
    p: int,
    candidates: list[tuple[int, str]],
) -> None:
    """At most one of two duties the engine's rule checker says cannot both be p's."""
    ordered = sorted(candidates, key=lambda c: ctx.slots[c[0]].start)
    person = ctx.people[p]
    spacing = max(
        [e.min_weeks_between for e in ctx.eligibility[p].values()]
        + [person.limits.min_weeks_between]
    )
    longest = max((ctx.slots[s].end - ctx.slots[s].start for s, _ in ordered), default=None)
    rests = [r.min_rest for r in ctx.rules.values()] + [person.limits.min_rest]
    reach = timedelta(days=7 * spacing + 1) + max(rests)
    if longest is not None:
        reach += longest
    for i, (s, role) in enumerate(ordered):
        k = roster.free_seat(s, role)
        roster.place(p, s, k, "bench")
        try:
            for t, other in ordered[i + 1 :]:
                if ctx.slots[t].start - ctx.slots[s].start > reach:
                    break
                if t == s:
                    continue
                if roster.refusal(p, t, other, org=False) is not None:
                    model.add_bool_or([x[p, s, role].Not(), x[p, t, other].Not()])
        finally:
            roster.vacate(s, k)


def _windows_and_caps(
    model: cp_model.CpModel,
    ctx: Context,
    roster: Roster,
    x: dict[tuple[int, int, str], cp_model.IntVar],
    p: int,
    candidates: list[tuple[int, str]],
) -> None:
    """Each rota's `max_duties`, and at most K duties starting in any M weeks."""
    for rota, elig in ctx.eligibility[p].items():
        if elig.max_duties is not None:
            mine = [x[p, s, r] for s, r in candidates if ctx.slots[s].rota == rota]
            model.add(sum(mine) <= elig.max_duties - roster.count[rota][p])
    days = {s: ctx.local_day(p, ctx.slots[s].start) for s, _ in candidates}
    past = [ctx.local_day(p, start) for start, _, _ in ctx.past_duties[p]]
    for most, weeks in roster.windows[p]:
        span = 7 * weeks
        for first in sorted(set(days.values())):
            inside = [x[p, s, r] for s, r in candidates if first <= days[s] < first + span]
            done = sum(1 for d in past if first <= d < first + span)
            if len(inside) + done > most:
                model.add(sum(inside) <= most - done)
            before = [x[p, s, r] for s, r in candidates if first - span < days[s] <= first]
            done = sum(1 for d in past if first - span < d <= first)
            if len(before) + done > most:
                model.add(sum(before) <= most - done)


def _joint_coverage(
    model: cp_model.CpModel,
    ctx: Context,
    by_slot: dict[int, list[tuple[int, str, cp_model.IntVar]]],
) -> cp_model.LinearExpr:
    lowest = model.new_int_var(0, 24, "lowest")
    total = []
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        if ctx.rules[slot.rota].kind != "review" or len(slot.roles) < 2:
            continue
        hours = []
        for h in range(24):
            bit = 1 << h
            covering = [var for p, _, var in by_slot.get(s, []) if ctx.works(p, s)[1] & bit]
            covered = model.new_bool_var(f"c{s}_{h}")
            if covering:
                model.add_bool_or(covering).only_enforce_if(covered)
            else:
                model.add(covered == 0)
            hours.append(covered)
        model.add(lowest <= sum(hours))
        total.extend(hours)
    return lowest * (len(total) + 1) + sum(total)
