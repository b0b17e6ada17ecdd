"""Filling the seats: frozen first, then the previous plan, then a fair greedy, then repairs.

1. Frozen assignments are placed as given (they count toward capacity and fairness).
2. Previous assignments are kept, in time order, while they still obey every hard rule.
3. Empty seats are filled in time order with the most "owed" person (fair share minus load),
   with three refinements: a release lead should have been shadow before; on review rotas with
   two or more seats, among people nearly as owed the one adding most uncovered UTC hours wins
   (and reaching `min_coverage_hours` is worth a wider margin); the organisation rule is
   relaxed only when nobody else can take the seat.
4. Local search (`rebalance`) moves duties from the most over-served to the most under-served
   while that lowers the worst deviation and the sum of squares, and never breaks a hard rule.
5. `improve_coverage` raises every review week to `min_coverage_hours` where it can, at the
   least cost in fairness, then the worst-covered weeks with fairness-neutral moves; a last
   `rebalance` wins back what fairness it can without lowering any week below the floor, and
   `reduce_worst` lowers the worst deviation with moves and two-move chains across rotas.

Ties are broken by a shuffle of the person ids seeded with `Problem.seed`, so the same problem
always gives the same plan.
"""

from __future__ import annotations

import heapq
import random

from rota.engine.availability import popcount
from rota.engine.chains import reduce_worst
from rota.engine.context import Context
from rota.engine.coverage import improve_coverage
from rota.engine.rebalance import rebalance
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_NEW, ORIGIN_PREVIOUS, Roster

#: candidates within this many duties of the most owed may be preferred for coverage
COVERAGE_MARGIN = 0.5
#: ... and within this many when only they bring the slot up to `min_coverage_hours`
COVERAGE_TARGET_MARGIN = 1.0
#: ... and, for a pair, as far as this when nothing nearer reaches `min_coverage_hours`
COVERAGE_PAIR_REACH = 2.0
#: how many near-equal candidates are looked at for coverage
COVERAGE_CANDIDATES = 32

Entry = tuple[float, int, int]  # (-owed, tie-break rank, person)


class Solver:
    def __init__(self, ctx: Context, seed: int) -> None:
        self.ctx = ctx
        self.roster = Roster(ctx)
        ids = sorted(p.id for p in ctx.people)
        random.Random(seed).shuffle(ids)
        order = {pid: i for i, pid in enumerate(ids)}
        self.rank = [order[p.id] for p in ctx.people]
        self.extra_frozen: list[tuple[str, str, str]] = []
        self.unfilled: dict[tuple[int, int], str] = {}
        self.lead_unqualified: set[tuple[int, int]] = set()
        self.kept_previous = 0
        #: previous assignments by seat: (person, why it was first given)
        self.previous_why: dict[tuple[int, int], tuple[int, str]] = {}
        #: previous assignments that no longer fit: slot -> [(person, role, refusal)]
        self.dropped: dict[int, list[tuple[int, str, str]]] = {}
        self.frozen_why: dict[tuple[int, int], str] = {}
        #: seats kept from the previous plan at the start: whoever holds them later, moving
        #: them again is a change, so the stability rule keeps applying to them
        self.previous_seats: set[tuple[int, int]] = set()
        #: why a seat changed hands in rebalancing or coverage moves
        self.moves: dict[tuple[int, int], str] = {}
        #: the note a seat had before a tentative move, restored if the move is undone
        self.undo_notes: dict[tuple[int, int], str] = {}
        #: while not None, the chain pass logs its moves here (seat, giver, origin, note) so
        #: a round can be undone
        self.chain_log: list[tuple[int, int, int, str, str]] | None = None
        #: how far behind their fair share each newly picked person was when picked
        self.owed_when_picked: dict[tuple[int, int], float] = {}

    # -- phases 1 and 2 ------------------------------------------------------------------

    def place_frozen(self) -> None:
        ctx, roster = self.ctx, self.roster
        for a in self.ctx.problem.frozen:
            s = ctx.slot_index.get(a.slot_id)
            p = ctx.person_index.get(a.person_id)
            if s is None or p is None:
                self.extra_frozen.append((a.slot_id, a.person_id, a.role))
                continue
            k = roster.free_seat(s, a.role)
            if k < 0 or p in roster.seats[s]:
                self.extra_frozen.append((a.slot_id, a.person_id, a.role))
                continue
            roster.place(p, s, k, ORIGIN_FROZEN)
            if a.why:
                self.frozen_why[(s, k)] = a.why

    def place_previous(self) -> None:
        ctx, roster = self.ctx, self.roster
        keep: list[tuple[int, bool, int, str, int]] = []
        for a in ctx.problem.previous:
            s = ctx.slot_index.get(a.slot_id)
            p = ctx.person_index.get(a.person_id)
            if s is None or p is None:
                continue
            keep.append((s, a.role != "lead", len(keep), a.role, p))
        why = {(a.slot_id, a.person_id, a.role): a.why for a in ctx.problem.previous}
        for s, _, _, role, p in sorted(keep):
            k = roster.free_seat(s, role)
            refusal = roster.refusal(p, s, role) if k >= 0 else "seat taken"
            if k >= 0 and refusal is None:
                roster.place(p, s, k, ORIGIN_PREVIOUS)
                self.previous_seats.add((s, k))
                self.kept_previous += 1
                self.previous_why[(s, k)] = (
                    p,
                    why.get((ctx.slots[s].id, ctx.people[p].id, role), ""),
                )
            elif refusal is not None:
                self.dropped.setdefault(s, []).append((p, role, refusal))

    def record_move(
        self, s: int, k: int, giver: int, taker: int, giver_dev: float, taker_dev: float
    ) -> None:
        """Remember why a seat changed hands, for the explanations."""
        people = self.ctx.people
        self.moves[(s, k)] = (
            f"moved to you from {people[giver].id}: you were {-taker_dev:.2f} duties below "
            f"your fair share and they were {giver_dev:+.2f} against theirs"
            if taker_dev < 0
            else f"moved to you from {people[giver].id} to even out the load: they had "
            f"{giver_dev - taker_dev:.2f} duties more than you against your fair shares"
        )

    # -- phase 3 -------------------------------------------------------------------------

    def fill(self) -> None:
        ctx, roster = self.ctx, self.roster
        heaps: dict[str, list[Entry]] = {}
        for rota, members in ctx.members.items():
            heap = [(-roster.owed(p, rota), self.rank[p], p) for p in members]
            heapq.heapify(heap)
            heaps[rota] = heap
        for s in range(ctx.horizon_count):
            slot = ctx.slots[s]
            order = sorted(range(len(slot.roles)), key=lambda k: slot.roles[k] != "lead")
            if self._pairs_for_coverage(s) and self._fill_pair(heaps[slot.rota], s):
                continue
            for k in order:
                if roster.seats[s][k] < 0:
                    self._fill_seat(heaps[slot.rota], s, k)

    def _fill_seat(self, heap: list[Entry], s: int, k: int) -> None:
        ctx, roster = self.ctx, self.roster
        slot = ctx.slots[s]
        role = slot.roles[k]
        rules = ctx.rules[slot.rota]
        want_lead = role == "lead" and rules.lead_requires_shadow
        covered = roster.mask(s) if rules.kind == "review" and len(slot.roles) >= 2 else 0
        # The first seat goes to the most owed; later seats weigh the hours they add.
        coverage = covered != 0
        target = rules.min_coverage_hours if coverage else 0
        margin = 0.0
        if want_lead:
            margin = float("inf")
        elif coverage:
            margin = COVERAGE_TARGET_MARGIN if target > popcount(covered) else COVERAGE_MARGIN
        popped: list[Entry] = []
        valid: list[Entry] = []
        while heap:
            entry = _pop_fresh(heap, roster)
            popped.append(entry)
            if valid and (
                -entry[0] < -valid[0][0] - margin
                or (not want_lead and not coverage)
                or len(valid) >= COVERAGE_CANDIDATES
            ):
                break
            if roster.refusal(entry[2], s, role) is None:
                valid.append(entry)
        chosen: Entry | None = None
        if valid:
            chosen = valid[0]
            if want_lead:
                qualified = [e for e in valid if roster.shadow_qualified(e[2], s)]
                if qualified:
                    chosen = qualified[0]
                else:
                    self.lead_unqualified.add((s, k))
            elif coverage and len(valid) > 1:
                chosen = self._best_for_coverage(valid, s, covered, target)
        else:
            relaxed = [e for e in popped if roster.refusal(e[2], s, role, org=False) is None]
            if relaxed:
                chosen = min(relaxed)
                roster.relaxed.add((s, k))
        for entry in popped:
            if entry is not chosen:
                heapq.heappush(heap, entry)
        if chosen is None:
            self.unfilled[(s, k)] = self._unfilled_reason(s, role)
            return
        p = chosen[2]
        self.owed_when_picked[(s, k)] = -chosen[0]
        roster.place(p, s, k, ORIGIN_NEW)
        heapq.heappush(heap, (-roster.owed(p, slot.rota), self.rank[p], p))

    def _pairs_for_coverage(self, s: int) -> bool:
        """A review slot whose two seats are empty and alike: choose its people together."""
        slot = self.ctx.slots[s]
        return (
            self.ctx.rules[slot.rota].kind == "review"
            and len(slot.roles) == 2
            and slot.roles[0] == slot.roles[1]
            and self.roster.seats[s] == [-1, -1]
        )

    def _fill_pair(self, heap: list[Entry], s: int) -> bool:
        """Fill both seats with the pair covering most UTC hours among the nearly most owed.

        Reaching `min_coverage_hours` comes first (looking as far as `COVERAGE_PAIR_REACH`
        duties below the most owed), then pairs nearer the top (within `COVERAGE_MARGIN`, then
        `COVERAGE_TARGET_MARGIN`), then covered hours, then how owed they are.
        Returns False (and changes nothing) when no valid pair was found.
        """
        ctx, roster = self.ctx, self.roster
        slot = ctx.slots[s]
        role = slot.roles[0]
        rules = ctx.rules[slot.rota]
        target = rules.min_coverage_hours
        margin = COVERAGE_PAIR_REACH if target else COVERAGE_MARGIN
        popped: list[Entry] = []
        valid: list[Entry] = []
        while heap:
            entry = _pop_fresh(heap, roster)
            popped.append(entry)
            if valid and (-entry[0] < -valid[0][0] - margin or len(valid) >= COVERAGE_CANDIDATES):
                break
            if roster.refusal(entry[2], s, role) is None:
                valid.append(entry)
        best: tuple[int, float, Entry, Entry] | None = None
        if len(valid) >= 2:
            top = -valid[0][0]
            masks = [ctx.works(e[2], s)[1] for e in valid]
            orgs = [roster.organisation[e[2]] for e in valid]
            # valid is in owed order, so a pair is as near the top as its second member
            tiers = [
                2
                if -e[0] >= top - COVERAGE_MARGIN
                else 1
                if -e[0] >= top - COVERAGE_TARGET_MARGIN
                else 0
                for e in valid
            ]
            org_rule = rules.one_per_organisation
            best_score = -1
            for i, a in enumerate(valid):
                mask_a, org_a = masks[i], orgs[i]
                for j in range(i + 1, len(valid)):
                    if org_rule and orgs[j] == org_a:
                        continue
                    hours = (mask_a | masks[j]).bit_count()
                    score = min(hours, target) * 10_000 + tiers[j] * 100 + hours
                    if score < best_score:
                        continue
                    owed = -(a[0] + valid[j][0])
                    if best is None or score > best_score or owed > best[1] + 1e-12:
                        best_score = score
                        best = (score, owed, a, valid[j])
        if best is None:
            for entry in popped:
                heapq.heappush(heap, entry)
            return False
        _, _, first, second = best
        for entry in popped:
            if entry is not first and entry is not second:
                heapq.heappush(heap, entry)
        for k, entry in enumerate((first, second)):
            self.owed_when_picked[(s, k)] = -entry[0]
            roster.place(entry[2], s, k, ORIGIN_NEW)
            heapq.heappush(heap, (-roster.owed(entry[2], slot.rota), self.rank[entry[2]], entry[2]))
        return True

    def _best_for_coverage(self, valid: list[Entry], s: int, covered: int, target: int) -> Entry:
        best_owed = -valid[0][0]

        def gained(entry: Entry) -> int:
            return popcount(covered | self.ctx.works(entry[2], s)[1])

        if target > popcount(covered):
            reaching = [e for e in valid if gained(e) >= target]
            if reaching:
                return reaching[0]
        near = [e for e in valid if -e[0] >= best_owed - COVERAGE_MARGIN]
        return max(near, key=lambda e: (gained(e), -e[0], -e[1]))

    def _unfilled_reason(self, s: int, role: str) -> str:
        ctx, roster = self.ctx, self.roster
        slot = ctx.slots[s]
        tally: dict[str, int] = {}
        for p in ctx.members[slot.rota]:
            why = roster.refusal(p, s, role, org=False)
            if why is not None:
                tally[why] = tally.get(why, 0) + 1
        if not tally:
            return f"nobody has opted into {slot.rota} as {role}"
        parts = ", ".join(f"{n} {why}" for why, n in sorted(tally.items(), key=lambda t: -t[1]))
        return f"nobody available: {parts}"


def _pop_fresh(heap: list[Entry], roster: Roster) -> Entry:
    """The most owed person of a rota's heap. How owed someone is counts all their rotas, so
    a duty in another rota leaves their entry here stale: it is refiled before it is used."""
    while True:
        entry = heapq.heappop(heap)
        owed = roster.owed(entry[2])
        if abs(owed + entry[0]) <= 1e-12 or not heap:
            return (-owed, entry[1], entry[2])
        heapq.heappush(heap, (-owed, entry[1], entry[2]))


def solve(ctx: Context, seed: int) -> Solver:
    solver = Solver(ctx, seed)
    solver.place_frozen()
    solver.place_previous()
    solver.fill()
    rebalance(solver)
    improve_coverage(solver)
    rebalance(solver, keep_coverage=True)
    reduce_worst(solver)
    return solver
