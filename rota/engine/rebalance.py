"""Local search after the greedy fill: move duties from over-served to under-served people.

Moving a duty of weight w from A to B lowers the sum of squared deviations exactly when
`dev(A) - dev(B) > w`, so every accepted move makes the plan strictly fairer and the search
ends. The most over-served person is tried first, each against the most under-served first,
which drives the worst deviation down before the spread.

Stability never freezes unfairness: a duty kept from the previous plan moves only to someone
more than `UNDER_SHARE` duty below their fair share (and only when the move is fairer), so a
re-plan after one change touches little beyond what the change forces, yet a newcomer gets the
whole part of their share, one move per duty. Coverage: on review
rotas with two or more seats a move may not push a slot's covered hours below
`min(current, min_coverage_hours)`, and among eligible takers the one covering most wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rota.engine.availability import popcount
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_PREVIOUS

if TYPE_CHECKING:
    from rota.engine.solver import Solver

EPS = 1e-9
#: a kept duty moves only to someone more than this many duties below their fair share
UNDER_SHARE = 1.0
#: people tried as the giving side per round, and takers checked per duty
GIVERS_PER_ROUND = 24
TAKERS_PER_DUTY = 300
TAKER_CHOICES = 8
#: rounds over all rotas at most
ROUNDS = 4


def rebalance(solver: Solver, *, keep_coverage: bool = False) -> None:
    """Even out loads. A move may not take a slot's covered hours below
    `min(current, min_coverage_hours)`; with `keep_coverage` (after the coverage pass) not
    below the plan's current worst-covered week either."""
    ctx = solver.ctx
    targets = {}
    for rota in sorted(ctx.rules):
        target = ctx.rules[rota].min_coverage_hours
        if keep_coverage:
            covered = [
                popcount(solver.roster.mask(s))
                for s in range(ctx.horizon_count)
                if ctx.slots[s].rota == rota and len(ctx.slots[s].roles) >= 2
            ]
            target = max(target, min(covered, default=0))
        targets[rota] = target
    # deviations add up a person's rotas, so a move in one rota can open one in another:
    # go round the rotas until a round moves nothing
    for _ in range(ROUNDS):
        moved = sum(_rebalance_rota(solver, rota, targets[rota]) for rota in sorted(ctx.rules))
        if not moved:
            return


def _rebalance_rota(solver: Solver, rota: str, target: int) -> int:
    ctx, roster = solver.ctx, solver.roster
    members = ctx.members[rota]
    if len(members) < 2:
        return 0
    moves = 0
    seats_in_rota = sum(
        len(ctx.slots[s].roles) for s in range(ctx.horizon_count) if ctx.slots[s].rota == rota
    )
    for _ in range(2 * seats_in_rota + 50):
        dev = {p: roster.deviation(p, rota) for p in members}
        order = sorted(members, key=lambda p: (dev[p], solver.rank[p]))
        lowest = dev[order[0]]
        moved = False
        # only people holding duties in this plan can give one (history alone can put
        # someone at the top who has nothing left to give)
        count = roster.count[rota]
        givers = [p for p in reversed(order) if count[p] > 0][:GIVERS_PER_ROUND]
        for giver in givers:
            if dev[giver] - lowest <= _min_weight(solver, giver, rota) + EPS:
                break
            if _move_one(solver, rota, giver, order, dev, target):
                moved = True
                moves += 1
                break
        if not moved:
            break
    return moves


def _min_weight(solver: Solver, p: int, rota: str) -> float:
    weights = [solver.ctx.slots[d[3]].weight for d in solver.roster.duties[p] if d[3] >= 0]
    return min(weights, default=1.0)


def _move_one(
    solver: Solver,
    rota: str,
    giver: int,
    order: list[int],
    dev: dict[int, float],
    target: int,
) -> bool:
    ctx, roster = solver.ctx, solver.roster
    duties = []
    for _, _, duty_rota, s in roster.duties[giver]:
        if s < 0 or duty_rota != rota:
            continue
        k = roster.seats[s].index(giver)
        origin = roster.origin[s][k]
        if origin == ORIGIN_FROZEN:
            continue
        duties.append((origin == ORIGIN_PREVIOUS or (s, k) in solver.previous_seats, s, k))
    duties.sort()
    holds_lead = roster.holds_lead(giver, rota)
    for is_previous, s, k in duties:
        slot = ctx.slots[s]
        role = slot.roles[k]
        if role == "shadow" and holds_lead:
            continue
        need = slot.weight
        lead_check = (
            role == "lead"
            and ctx.rules[rota].lead_requires_shadow
            and roster.shadow_qualified(giver, s)
        )
        coverage = ctx.rules[rota].kind == "review" and len(slot.roles) >= 2
        others = roster.mask(s, skip_seat=k) if coverage else 0
        floor = min(popcount(roster.mask(s)), target) if coverage else 0
        takers: list[tuple[int, int]] = []
        checked = 0
        for taker in order:
            if dev[giver] - dev[taker] <= need + EPS or checked >= TAKERS_PER_DUTY:
                break
            if is_previous and dev[taker] >= -UNDER_SHARE - EPS:
                break
            if taker == giver:
                continue
            checked += 1
            if roster.refusal(taker, s, role, replacing=k) is not None:
                continue
            if lead_check and not roster.shadow_qualified(taker, s):
                continue
            covered = popcount(others | ctx.works(taker, s)[1]) if coverage else 0
            if covered < floor:
                continue
            takers.append((covered, taker))
            if not coverage or len(takers) >= TAKER_CHOICES:
                break
        if not takers:
            continue
        best = max(takers, key=lambda t: (t[0], -dev[t[1]], -solver.rank[t[1]]))[1]
        solver.record_move(s, k, giver, best, dev[giver], dev[best])
        roster.vacate(s, k)
        roster.place(best, s, k, ORIGIN_MOVED)
        return True
    return False
