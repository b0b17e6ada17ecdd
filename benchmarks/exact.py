"""An exact reference: OR-Tools CP-SAT on the same hard rules as the engine.

Phase 1 minimises the worst deviation from fair share; phase 2 keeps that worst deviation and
maximises the minimum covered UTC hours of a slot, then the total. The "fair" variant puts a
phase in between that minimises the worst deviation among people a planner can still help,
which is what the engine also aims at. Each phase has a time limit;
the lower bound of phase 1 is reported so a timed-out run still says how good "best" can be.
"""

from __future__ import annotations

from dataclasses import dataclass

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
