"""`plan`: the engine's one entry point."""

from __future__ import annotations

from rota.engine.context import Context
from rota.engine.coverage import shortfalls
from rota.engine.explain import explanations
from rota.engine.metrics import evaluate
from rota.engine.model import Assignment, Plan, Problem, Unfilled
from rota.engine.solver import solve


def plan(problem: Problem) -> Plan:
    """Assign people to the problem's slots; the same problem always gives the same plan."""
    ctx = Context(problem)
    solver = solve(ctx, problem.seed)
    roster = solver.roster
    assignments = [
        Assignment(ctx.slots[s].id, ctx.people[p].id, ctx.slots[s].roles[k])
        for s in range(ctx.horizon_count)
        for k, p in enumerate(roster.seats[s])
        if p >= 0
    ]
    assignments.extend(Assignment(*extra) for extra in solver.extra_frozen)
    unfilled = [
        Unfilled(ctx.slots[s].id, ctx.slots[s].roles[k], reason)
        for (s, k), reason in sorted(solver.unfilled.items())
    ]
    unfilled.extend(
        Unfilled(slot.id, role, f"no rules given for rota {slot.rota!r}")
        for slot in problem.slots
        if slot.rota not in ctx.rules
        for role in slot.roles
    )
    result = tuple(assignments)
    return Plan(
        assignments=result,
        unfilled=tuple(unfilled),
        explanations=tuple(explanations(solver)),
        metrics=evaluate(problem, result, ctx),
        shortfalls=tuple(shortfalls(solver)),
    )
