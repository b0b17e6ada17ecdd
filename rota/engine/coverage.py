"""Follow the sun: raise the worst-covered review weeks at a small, bounded cost in fairness.

After the fair fill and rebalancing, the least-covered slot of a review rota (two or more
seats) is improved by one of two moves, and the next-least covered after it, until none helps:

* replace: a person on the slot gives it to someone at most a quarter duty less behind their
  fair share (`dev(taker) + w <= dev(giver) + COVERAGE_SLACK`), who ends at most
  `COVERAGE_HEADROOM` above the worst deviation of those holding duties in the plan;
* swap: two people on two slots of the rota trade places, which leaves every load as it is.

A move counts when the lower of the touched slots' coverage rises, or stays and the total
rises. Frozen seats and seats kept from the previous plan are left alone.
"""

from __future__ import annotations

from bisect import insort
from typing import TYPE_CHECKING

from rota.engine.availability import popcount
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_PREVIOUS

if TYPE_CHECKING:
    from rota.engine.solver import Solver

EPS = 1e-9
TAKERS_CHECKED = 200
#: how much fairer-than-even a replacement may be traded for coverage (duties)
COVERAGE_SLACK = 1.25
#: how far above the current worst in-plan deviation a coverage move may take someone
COVERAGE_HEADROOM = 0.5
FIXED = (ORIGIN_FROZEN, ORIGIN_PREVIOUS)


def improve_coverage(solver: Solver) -> None:
    ctx = solver.ctx
    for rota in sorted(ctx.rules):
        if ctx.rules[rota].kind != "review":
            continue
        slots = [
            s
            for s in range(ctx.horizon_count)
            if ctx.slots[s].rota == rota and len(ctx.slots[s].roles) >= 2
        ]
        if slots:
            _improve_rota(solver, rota, slots)


def _improve_rota(solver: Solver, rota: str, slots: list[int]) -> None:
    roster = solver.roster
    covered = {s: popcount(roster.mask(s)) for s in slots}
    order = _by_deviation(solver, rota)
    worst = _worst_in_plan(solver, rota, order)
    stuck: set[int] = set()
    for _ in range(4 * len(slots)):
        open_slots = [s for s in slots if s not in stuck]
        if not open_slots:
            return
        low = min(open_slots, key=lambda s: (covered[s], s))
        if covered[low] >= 24:
            return
        # Replacements first: they reach more weeks (swaps need two people who fit each
        # other's weeks); the final rebalance wins back fairness where it can.
        changed = _replace(solver, rota, low, covered, order, worst)
        if changed:
            _reorder(solver, rota, order, changed)
            worst = _worst_in_plan(solver, rota, order)
            continue
        if _swap(solver, low, slots, covered):
            continue
        stuck.add(low)


def _movable(solver: Solver, s: int) -> list[int]:
    roster = solver.roster
    return [k for k, p in enumerate(roster.seats[s]) if p >= 0 and roster.origin[s][k] not in FIXED]


Ranked = list[tuple[float, int, int]]  # (deviation, tie-break rank, person), ascending


def _by_deviation(solver: Solver, rota: str) -> Ranked:
    roster = solver.roster
    return sorted((roster.deviation(p, rota), solver.rank[p], p) for p in solver.ctx.members[rota])


def _reorder(solver: Solver, rota: str, order: Ranked, people: tuple[int, int]) -> None:
    """Re-file the two people whose deviation a replacement changed."""
    for p in people:
        for i, entry in enumerate(order):
            if entry[2] == p:
                del order[i]
                break
        insort(order, (solver.roster.deviation(p, rota), solver.rank[p], p))


def _worst_in_plan(solver: Solver, rota: str, members: Ranked) -> float:
    """The highest deviation among people holding duties in this plan (history alone can
    leave someone far above their share; they do not loosen the cap)."""
    count = solver.roster.count[rota]
    return max((dev for dev, _, p in members if count[p] > 0), default=0.0)


def _replace(
    solver: Solver,
    rota: str,
    s: int,
    covered: dict[int, int],
    members: Ranked,
    worst: float,
) -> tuple[int, int] | None:
    ctx, roster = solver.ctx, solver.roster
    weight = ctx.slots[s].weight
    best: tuple[int, int, int] | None = None
    for k in _movable(solver, s):
        giver = roster.seats[s][k]
        # The taker may end at most `COVERAGE_SLACK` above where the giver was, and at most
        # `COVERAGE_HEADROOM` above the plan's current worst deviation.
        limit = min(roster.deviation(giver, rota) + COVERAGE_SLACK, worst + COVERAGE_HEADROOM)
        limit += EPS - weight
        others = roster.mask(s, skip_seat=k)
        role = ctx.slots[s].roles[k]
        for checked, (dev, _, taker) in enumerate(members):
            if checked >= TAKERS_CHECKED or dev > limit:
                break
            hours = popcount(others | ctx.works(taker, s)[1])
            if hours <= covered[s] or (best is not None and hours <= best[0]):
                continue
            if roster.refusal(taker, s, role, replacing=k) is None:
                best = (hours, k, taker)
    if best is None:
        return None
    hours, k, taker = best
    giver = roster.vacate(s, k)
    roster.place(taker, s, k, ORIGIN_MOVED)
    covered[s] = hours
    return giver, taker


def _swap(solver: Solver, s: int, slots: list[int], covered: dict[int, int]) -> bool:
    ctx, roster = solver.ctx, solver.roster
    for k in _movable(solver, s):
        a = roster.seats[s][k]
        role = ctx.slots[s].roles[k]
        others = roster.mask(s, skip_seat=k)
        for t in slots:
            if t == s or ctx.slots[t].weight != ctx.slots[s].weight:
                continue
            for j in _movable(solver, t):
                b = roster.seats[t][j]
                if ctx.slots[t].roles[j] != role or b == a:
                    continue
                new_s = popcount(others | ctx.works(b, s)[1])
                if new_s <= covered[s]:
                    continue
                new_t = popcount(roster.mask(t, skip_seat=j) | ctx.works(a, t)[1])
                before = (covered[s], covered[s] + covered[t])
                if (min(new_s, new_t), new_s + new_t) <= before:
                    continue
                if _try_swap(solver, s, k, t, j):
                    covered[s], covered[t] = new_s, new_t
                    return True
    return False


def _try_swap(solver: Solver, s: int, k: int, t: int, j: int) -> bool:
    roster = solver.roster
    role = solver.ctx.slots[s].roles[k]
    origin_a, origin_b = roster.origin[s][k], roster.origin[t][j]
    a = roster.vacate(s, k)
    b = roster.vacate(t, j)
    if roster.refusal(b, s, role) is None:
        roster.place(b, s, k, ORIGIN_MOVED)
        if roster.refusal(a, t, role) is None:
            roster.place(a, t, j, ORIGIN_MOVED)
            return True
        roster.vacate(s, k)
    roster.place(a, s, k, origin_a)
    roster.place(b, t, j, origin_b)
    return False
