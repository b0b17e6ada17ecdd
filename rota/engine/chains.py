"""The last pass: lower the worst deviation with moves and two-move chains.

`rebalance` accepts a move only when it lowers the sum of squared deviations, one rota at a
time. When people serve several rotas, the worst-off person can often be helped only through
someone else: the under-served person takes a duty from a giver who would then fall too low,
so the giver in turn takes a duty (maybe of another rota) from someone above their share. This
pass looks at the person furthest from their share and accepts the single move, or the chain
of two, that leaves everyone it touches strictly nearer than that worst. Coverage is kept: no
review week drops below `min(its hours, the floor)`, where the floor is first the rota's
`min_coverage_hours` or the plan's least-covered week, whichever is higher, and then, in a
second round, `min_coverage_hours` alone (hours above the rota's floor are given up only for a
lower worst deviation).

Frozen seats never move; a seat kept from the previous plan moves only to someone more than
`UNDER_SHARE` duty below their share (the stability rule of `rebalance`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rota.engine.availability import popcount
from rota.engine.rebalance import UNDER_SHARE
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_PREVIOUS

if TYPE_CHECKING:
    from rota.engine.solver import Solver

EPS = 1e-9
#: worst people looked at, and rule checks allowed per look, so large plans stay fast
ROUNDS = 60
CHECKS_PER_ROUND = 4000
#: rule checks allowed over all rounds
CHECKS_TOTAL = 40000
#: how much the second round must lower the worst deviation to keep the hours it gave up
WORTH = 0.01
#: the least-served people tried as takers of a duty
TAKERS = 40

Seat = tuple[int, int]


def reduce_worst(solver: Solver) -> None:
    """Two rounds: first keeping every review week at `min(its hours, the plan's floor)`, then
    at `min(its hours, min_coverage_hours)` only, so hours above the rota's own floor are
    given up only for a lower worst deviation."""
    ctx, roster = solver.ctx, solver.roster
    floors: dict[str, int] = {}
    for rota, rules in ctx.rules.items():
        weeks = [
            popcount(roster.mask(s))
            for s in range(ctx.horizon_count)
            if ctx.slots[s].rota == rota and rules.kind == "review" and len(ctx.slots[s].roles) > 1
        ]
        floors[rota] = max(rules.min_coverage_hours, min(weeks, default=0))
    _reduce(solver, floors)
    before = _worst_value(solver)
    log: list[tuple[int, int, int, str, str]] = []
    solver.chain_log = log
    _reduce(solver, {rota: rules.min_coverage_hours for rota, rules in ctx.rules.items()})
    solver.chain_log = None
    if _worst_value(solver) > before - WORTH:
        # not worth the hours it cost: undo the round, last move first
        for s, k, giver, origin, note in reversed(log):
            roster.vacate(s, k)
            roster.place(giver, s, k, origin)
            if note:
                solver.moves[(s, k)] = note
            else:
                solver.moves.pop((s, k), None)


def _worst_value(solver: Solver) -> float:
    """The worst |deviation| among people a plan can still help."""
    ctx, roster = solver.ctx, solver.roster
    return max(
        (
            abs(roster.deviation(p))
            for p in range(len(ctx.people))
            if ctx.eligibility[p]
            and (roster.deviation(p) <= 0 or any(roster.count[r][p] for r in ctx.eligibility[p]))
        ),
        default=0.0,
    )


def _reduce(solver: Solver, floors: dict[str, int]) -> None:
    ctx = solver.ctx
    by_rota: dict[str, list[int]] = {}
    for s in range(ctx.horizon_count):
        by_rota.setdefault(ctx.slots[s].rota, []).append(s)
    tried: set[int] = set()
    spent = 0
    for _ in range(ROUNDS):
        focus = _worst(solver, tried)
        if focus is None or spent >= CHECKS_TOTAL:
            return
        budget = _Budget()
        helped = _help(solver, focus, floors, by_rota, budget)
        spent += CHECKS_PER_ROUND - max(budget.left, 0)
        if helped:
            tried.clear()  # the plan changed: someone stuck before may be helped now
        else:
            tried.add(focus)


def _worst(solver: Solver, tried: set[int]) -> int | None:
    ctx, roster = solver.ctx, solver.roster
    best, worst = None, 0.0
    for p in range(len(ctx.people)):
        if not ctx.eligibility[p] or p in tried:
            continue
        dev = roster.deviation(p)
        if dev > 0 and not any(roster.count[r][p] for r in ctx.eligibility[p]):
            continue  # above their share from history alone: nothing to give
        if abs(dev) > worst + EPS:
            best, worst = p, abs(dev)
    return best


class _Budget:
    def __init__(self) -> None:
        self.left = CHECKS_PER_ROUND

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _help(
    solver: Solver,
    focus: int,
    floors: dict[str, int],
    by_rota: dict[str, list[int]],
    budget: _Budget,
) -> bool:
    roster = solver.roster
    dev = roster.deviation(focus)
    limit = abs(dev) - EPS
    if dev < 0:
        return _take(solver, focus, limit, floors, by_rota, budget)
    return _give(solver, focus, limit, floors, by_rota, budget)


def _movable(solver: Solver, s: int, k: int, taker: int) -> bool:
    origin = solver.roster.origin[s][k]
    if origin == ORIGIN_FROZEN:
        return False
    kept = origin == ORIGIN_PREVIOUS or (s, k) in solver.previous_seats
    return not kept or solver.roster.deviation(taker) < -UNDER_SHARE - EPS


def _keeps_coverage(solver: Solver, s: int, k: int, taker: int, floors: dict[str, int]) -> bool:
    ctx, roster = solver.ctx, solver.roster
    slot = ctx.slots[s]
    if ctx.rules[slot.rota].kind != "review" or len(slot.roles) < 2:
        return True
    now = popcount(roster.mask(s))
    after = popcount(roster.mask(s, skip_seat=k) | ctx.works(taker, s)[1])
    return after >= min(now, floors[slot.rota])


def _fits(solver: Solver, s: int, k: int, taker: int, floors: dict[str, int]) -> bool:
    ctx, roster = solver.ctx, solver.roster
    slot = ctx.slots[s]
    role = slot.roles[k]
    giver = roster.seats[s][k]
    if role == "shadow" and roster.holds_lead(giver, slot.rota):
        return False  # their shadow duty is what qualifies their lead
    if (
        role == "lead"
        and ctx.rules[slot.rota].lead_requires_shadow
        and roster.shadow_qualified(giver, s)
        and not roster.shadow_qualified(taker, s)
    ):
        return False
    return (
        _movable(solver, s, k, taker)
        and roster.refusal(taker, s, role, replacing=k) is None
        and _keeps_coverage(solver, s, k, taker, floors)
    )


def _move(solver: Solver, s: int, k: int, taker: int) -> int:
    roster = solver.roster
    giver = roster.seats[s][k]
    solver.undo_notes[(s, k)] = solver.moves.get((s, k), "")
    if solver.chain_log is not None:
        solver.chain_log.append((s, k, giver, roster.origin[s][k], solver.moves.get((s, k), "")))
    solver.record_move(s, k, giver, taker, roster.deviation(giver), roster.deviation(taker))
    roster.vacate(s, k)
    roster.place(taker, s, k, ORIGIN_MOVED)
    return giver


def _undo(solver: Solver, s: int, k: int, giver: int, origin: str) -> None:
    roster = solver.roster
    roster.vacate(s, k)
    roster.place(giver, s, k, origin)
    if solver.chain_log:
        solver.chain_log.pop()
    note = solver.undo_notes.pop((s, k), "")
    if note:
        solver.moves[(s, k)] = note
    else:
        solver.moves.pop((s, k), None)


def _seats_in(solver: Solver, p: int, by_rota: dict[str, list[int]]) -> list[Seat]:
    """Every filled seat of the rotas p serves, p's own left out."""
    ctx, roster = solver.ctx, solver.roster
    seats = []
    for rota in ctx.eligibility[p]:
        for s in by_rota.get(rota, ()):
            for k, holder in enumerate(roster.seats[s]):
                if holder >= 0 and holder != p and p not in roster.seats[s]:
                    seats.append((s, k))
    return seats


def _take(
    solver: Solver,
    focus: int,
    limit: float,
    floors: dict[str, int],
    by_rota: dict[str, list[int]],
    budget: _Budget,
) -> bool:
    """`focus` is the furthest below their share: they take a duty, and if the giver would
    fall too low, the giver takes one from someone else."""
    ctx, roster = solver.ctx, solver.roster
    dev_f = roster.deviation(focus)
    options = []
    for s, k in _seats_in(solver, focus, by_rota):
        giver = roster.seats[s][k]
        w = ctx.slots[s].weight
        if abs(dev_f + w) >= limit:
            continue
        options.append((-roster.deviation(giver), s, k))
    options.sort()
    for neg_dev_g, s, k in options:
        giver = roster.seats[s][k]
        w = ctx.slots[s].weight
        if not budget.spend():
            return False
        if not _fits(solver, s, k, focus, floors):
            continue
        if abs(-neg_dev_g - w) < limit:
            _move(solver, s, k, focus)
            return True
        if -neg_dev_g - w > -limit:
            continue  # the giver would end too high, not too low: nothing a chain fixes
        origin = roster.origin[s][k]
        _move(solver, s, k, focus)
        dev_g = roster.deviation(giver)
        for s2, k2 in _seats_in(solver, giver, by_rota):
            other = roster.seats[s2][k2]
            if other == focus:
                continue
            w2 = ctx.slots[s2].weight
            if abs(dev_g + w2) >= limit or abs(roster.deviation(other) - w2) >= limit:
                continue
            if not budget.spend():
                break
            if _fits(solver, s2, k2, giver, floors):
                _move(solver, s2, k2, giver)
                return True
        _undo(solver, s, k, giver, origin)
    return False


def _give(
    solver: Solver,
    focus: int,
    limit: float,
    floors: dict[str, int],
    by_rota: dict[str, list[int]],
    budget: _Budget,
) -> bool:
    """`focus` is the furthest above their share: a duty of theirs goes to someone, and if
    that taker would end too high, the taker passes one of theirs on."""
    ctx, roster = solver.ctx, solver.roster
    dev_f = roster.deviation(focus)
    mine = [
        (s, k)
        for rota in ctx.eligibility[focus]
        for s in by_rota.get(rota, ())
        for k, holder in enumerate(roster.seats[s])
        if holder == focus
    ]
    for s, k in mine:
        w = ctx.slots[s].weight
        if abs(dev_f - w) >= limit:
            continue
        rota = ctx.slots[s].rota
        takers = sorted((roster.deviation(t), t) for t in ctx.members[rota] if t != focus)
        for dev_t, taker in takers[:TAKERS]:
            if not budget.spend():
                return False
            if not _fits(solver, s, k, taker, floors):
                continue
            if abs(dev_t + w) < limit:
                _move(solver, s, k, taker)
                return True
            if dev_t + w < limit:
                continue
            origin = roster.origin[s][k]
            _move(solver, s, k, taker)
            dev_t = roster.deviation(taker)
            passed = False
            for s2 in (d[3] for d in list(roster.duties[taker]) if d[3] >= 0 and d[3] != s):
                k2 = roster.seats[s2].index(taker)
                w2 = ctx.slots[s2].weight
                if abs(dev_t - w2) >= limit:
                    continue
                for dev_u, u in sorted(
                    (roster.deviation(u), u) for u in ctx.members[ctx.slots[s2].rota]
                ):
                    if abs(dev_u + w2) >= limit:
                        if dev_u + w2 >= limit:
                            break
                        continue
                    if u in (focus, taker) or not budget.spend():
                        continue
                    if _fits(solver, s2, k2, u, floors):
                        _move(solver, s2, k2, u)
                        passed = True
                        break
                if passed or budget.left <= 0:
                    break
            if passed:
                return True
            _undo(solver, s, k, focus, origin)
    return False
