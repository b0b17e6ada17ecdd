"""The two ways GitHub's team review assignment picks reviewers, applied to a whole horizon.

Both know only who is unavailable (time off, no working hours in the week); neither knows
about capacity, rest, organisations or coverage.
"""

from __future__ import annotations

from rota.engine import Assignment, Problem
from rota.engine.context import Context


def round_robin(problem: Problem, ctx: Context) -> tuple[Assignment, ...]:
    """Take people in sign-up order, skipping anyone unavailable, carrying on where it left."""
    assignments = []
    pointer = 0
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        members = ctx.members[slot.rota]
        taken: list[int] = []
        for role in slot.roles:
            for step in range(len(members)):
                p = members[(pointer + step) % len(members)]
                if p not in taken and ctx.is_available(p, s):
                    taken.append(p)
                    pointer = (pointer + step + 1) % len(members)
                    assignments.append(Assignment(slot.id, ctx.people[p].id, role))
                    break
    return tuple(assignments)


def least_loaded(problem: Problem, ctx: Context) -> tuple[Assignment, ...]:
    """Take the available person with the fewest duties so far, ties in sign-up order."""
    assignments = []
    duties = [0] * len(ctx.people)
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        taken: list[int] = []
        for role in slot.roles:
            best = -1
            for p in ctx.members[slot.rota]:
                if p in taken or not ctx.is_available(p, s):
                    continue
                if best < 0 or duties[p] < duties[best]:
                    best = p
            if best >= 0:
                taken.append(best)
                duties[best] += 1
                assignments.append(Assignment(slot.id, ctx.people[best].id, role))
    return tuple(assignments)
