"""Follow the sun: every review week up to `min_coverage_hours`, then the worst weeks higher.

Two passes over the review rotas with two or more seats:

1. **The floor.** Each week below its rota's `min_coverage_hours` is raised towards it, by a
   swap with another week of the rota (which leaves every load as it is) or by a replacement:
   someone on the week gives the seat to someone who covers more hours. Among replacements
   reaching the most hours, the one with the smallest fairness cost wins (the taker least
   above their share afterwards). No move may push the giver further below their share than
   the current worst of the rota. Seats kept from the previous plan may move here (a week
   below the floor is worth it); frozen seats never.
2. **Beyond the floor**, the least-covered week is raised by swaps, and by replacements that
   cost no fairness: the taker ends no higher above their share than the worst in the plan
   already is, and within `COVERAGE_SLACK` of where the giver was. Kept and frozen seats stay.

A move counts when the lower of the touched weeks' coverage rises, or stays and the total
rises; a swap never takes the other week below `min(its coverage, the floor)`.
"""

from __future__ import annotations

from bisect import insort
from typing import TYPE_CHECKING

from rota.engine.availability import popcount
from rota.engine.model import CoverageShortfall
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_PREVIOUS

if TYPE_CHECKING:
    from rota.engine.solver import Solver

EPS = 1e-9
TAKERS_CHECKED = 200
#: how much fairer-than-even a replacement may be traded for coverage (duties)
COVERAGE_SLACK = 1.25
FIXED = (ORIGIN_FROZEN, ORIGIN_PREVIOUS)


def coverage_slots(solver: Solver, rota: str) -> list[int]:
    """The rota's weeks whose coverage counts: review rotas with two or more seats."""
    ctx = solver.ctx
    if ctx.rules[rota].kind != "review":
        return []
    return [
        s
        for s in range(ctx.horizon_count)
        if ctx.slots[s].rota == rota and len(ctx.slots[s].roles) >= 2
    ]


def improve_coverage(solver: Solver) -> None:
    ctx = solver.ctx
    for rota in sorted(ctx.rules):
        slots = coverage_slots(solver, rota)
        if not slots:
            continue
        target = ctx.rules[rota].min_coverage_hours
        covered = {s: popcount(solver.roster.mask(s)) for s in slots}
        if target:
            _reach_floor(solver, rota, slots, covered, target)
        _improve_rota(solver, rota, slots, covered, target)


def _reach_floor(
    solver: Solver, rota: str, slots: list[int], covered: dict[int, int], target: int
) -> None:
    for s in sorted((s for s in slots if covered[s] < target), key=lambda s: (covered[s], s)):
        for _ in range(2 * len(solver.roster.seats[s]) + 2):
            if covered[s] >= target:
                break
            if _swap(solver, s, slots, covered, target, fixed=(ORIGIN_FROZEN,)):
                continue
            if not _replace_for_floor(solver, rota, s, covered, target):
                break


def _replace_for_floor(
    solver: Solver, rota: str, s: int, covered: dict[int, int], target: int
) -> bool:
    """The replacement reaching the most hours (up to `target`) at the least fairness cost."""
    ctx, roster = solver.ctx, solver.roster
    slot = ctx.slots[s]
    weight = slot.weight
    members = ctx.members[rota]
    dev = {p: roster.deviation(p, rota) for p in members}
    lowest = min(dev.values(), default=0.0)
    best: tuple[int, float, int, int, int] | None = None
    for k, giver in enumerate(roster.seats[s]):
        if giver < 0 or roster.origin[s][k] == ORIGIN_FROZEN:
            continue
        if dev[giver] - weight < lowest - EPS:
            continue
        others = roster.mask(s, skip_seat=k)
        role = slot.roles[k]
        candidates = []
        for p in members:
            hours = popcount(others | ctx.works(p, s)[1])
            if hours > covered[s]:
                candidates.append((-min(hours, target), dev[p], solver.rank[p], p, hours))
        candidates.sort()
        for tier, taker_dev, _, taker, hours in candidates:
            option = (-tier, -(taker_dev + weight), hours, k, taker)
            if best is not None and option[:2] <= best[:2]:
                break
            if taker in roster.seats[s]:
                continue
            if roster.refusal(taker, s, role, replacing=k) is None:
                best = option
                break
    if best is None:
        return False
    _, _, hours, k, taker = best
    giver = roster.seats[s][k]
    solver.moves[(s, k)] = (
        f"moved to you from {ctx.people[giver].id} so the week covers {min(hours, target)} of "
        f"the rota's {target} hours"
    )
    roster.vacate(s, k)
    roster.place(taker, s, k, ORIGIN_MOVED)
    covered[s] = hours
    return True


def _improve_rota(
    solver: Solver, rota: str, slots: list[int], covered: dict[int, int], target: int
) -> None:
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
        if _swap(solver, low, slots, covered, target):
            continue
        stuck.add(low)


def _movable(solver: Solver, s: int, fixed: tuple[str, ...] = FIXED) -> list[int]:
    """Seats that may move; with the default, not those kept from the previous plan, even
    after an earlier move gave them to someone else."""
    roster = solver.roster
    kept = ORIGIN_PREVIOUS in fixed
    return [
        k
        for k, p in enumerate(roster.seats[s])
        if p >= 0
        and roster.origin[s][k] not in fixed
        and not (kept and (s, k) in solver.previous_seats)
    ]


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
    lowest = members[0][0] if members else 0.0
    for k in _movable(solver, s):
        giver = roster.seats[s][k]
        if roster.deviation(giver, rota) - weight < lowest - EPS:
            continue
        # The taker may end at most `COVERAGE_SLACK` above where the giver was, and no higher
        # above their share than the plan's current worst.
        limit = min(roster.deviation(giver, rota) + COVERAGE_SLACK, worst)
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
    solver.moves[(s, k)] = (
        f"moved to you from {ctx.people[roster.seats[s][k]].id} so the week covers {hours} "
        "UTC hours, at no cost in fairness"
    )
    giver = roster.vacate(s, k)
    roster.place(taker, s, k, ORIGIN_MOVED)
    covered[s] = hours
    return giver, taker


def _swap(
    solver: Solver,
    s: int,
    slots: list[int],
    covered: dict[int, int],
    floor: int,
    fixed: tuple[str, ...] = FIXED,
) -> bool:
    ctx, roster = solver.ctx, solver.roster
    for k in _movable(solver, s, fixed):
        a = roster.seats[s][k]
        role = ctx.slots[s].roles[k]
        others = roster.mask(s, skip_seat=k)
        for t in slots:
            if t == s or ctx.slots[t].weight != ctx.slots[s].weight:
                continue
            for j in _movable(solver, t, fixed):
                b = roster.seats[t][j]
                if ctx.slots[t].roles[j] != role or b == a:
                    continue
                new_s = popcount(others | ctx.works(b, s)[1])
                if new_s <= covered[s]:
                    continue
                new_t = popcount(roster.mask(t, skip_seat=j) | ctx.works(a, t)[1])
                if new_t < min(covered[t], floor):
                    continue
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
            people = solver.ctx.people
            solver.moves[(s, k)] = f"swapped weeks with {people[a].id} to cover more hours"
            solver.moves[(t, j)] = f"swapped weeks with {people[b].id} to cover more hours"
            return True
        roster.vacate(s, k)
    roster.place(a, s, k, origin_a)
    roster.place(b, t, j, origin_b)
    return False


def shortfalls(solver: Solver) -> list[CoverageShortfall]:
    """The review weeks left below `min_coverage_hours`, each with the reason."""
    ctx, roster = solver.ctx, solver.roster
    result = []
    for rota in sorted(ctx.rules):
        target = ctx.rules[rota].min_coverage_hours
        if not target:
            continue
        for s in coverage_slots(solver, rota):
            covered = popcount(roster.mask(s))
            if covered >= target:
                continue
            slot = ctx.slots[s]
            seats = len(slot.roles)
            available = [
                p for p in ctx.members[rota] if ctx.roles_fit(p, s) and ctx.is_available(p, s)
            ]
            best_any = _best_union([ctx.works(p, s)[1] for p in available], seats)
            if best_any < target:
                reason = (
                    f"the {len(available)} people available that week could together cover at "
                    f"most {best_any} of the {target} hours"
                )
            else:
                free = [
                    p
                    for p in available
                    if p in roster.seats[s]
                    or any(
                        roster.refusal(p, s, role, replacing=k, org=False) is None
                        for k, role in enumerate(slot.roles)
                    )
                ]
                best_free = _best_union([ctx.works(p, s)[1] for p in free], seats)
                if best_free < target:
                    reason = (
                        f"the people who would cover the missing hours are held that week by "
                        f"their other duties or limits (spacing, rest, caps across rotas); "
                        f"those free could cover at most {best_free} of the {target} hours"
                    )
                else:
                    reason = (
                        "reaching it would push someone further below their fair share than "
                        "anyone in the rota is now"
                    )
            result.append(CoverageShortfall(slot.id, covered, target, reason))
    return result


def _best_union(masks: list[int], seats: int) -> int:
    """The most UTC hours `seats` of these people can cover together (exact for two seats,
    greedy beyond)."""
    distinct = sorted(set(masks), key=popcount, reverse=True)
    if not distinct:
        return 0
    if seats == 1 or len(distinct) == 1:
        return popcount(distinct[0])
    if seats == 2:
        return max(popcount(a | b) for i, a in enumerate(distinct) for b in distinct[i:])
    union = 0
    for _ in range(seats):
        union |= max(distinct, key=lambda m: popcount(union | m))
    return popcount(union)
