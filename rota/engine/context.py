"""The problem, indexed for planning: who is available for which slot, and everyone's fair share.

Availability is decided per (person, slot) by three facts:

* working time: the person's windows inside the slot, shared by everyone with the same zone and
  windows (computed once per such group and slot);
* time off: a person is blocked when less than `min_available_fraction` of that working time
  is free, or they joined after the slot started;
* a person with no working time inside a slot is unavailable for it.

Fair share of a person in a rota = sum over that rota's slots (past duties rebuilt into slots,
and the horizon) of weight x seats / people available for the slot, counted where the person is
available. The weight halves every `history_half_life_weeks` before `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rota.engine.availability import TimeOff, WorkingTime, WorkingTimes, WorkKey
from rota.engine.fairness import decay_weight
from rota.engine.model import EPOCH, Eligibility, Problem, RotaRules


@dataclass
class SlotInfo:
    """A horizon slot, or a past slot rebuilt from history (`horizon` False)."""

    index: int
    id: str
    rota: str
    start: datetime
    end: datetime
    roles: tuple[str, ...]
    horizon: bool
    weight: float = 1.0
    available_count: int = 0
    share: float = 0.0
    past_people: list[int] = field(default_factory=list)
    role_set: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.role_set = frozenset(self.roles)


class Context:
    """Indexes of a `Problem`, availability and fair shares. Read-only once built."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.rules: dict[str, RotaRules] = {r.rota: r for r in problem.rotas}
        self.people = problem.people
        self.person_index = {p.id: i for i, p in enumerate(problem.people)}
        horizon = sorted(
            (s for s in problem.slots if s.rota in self.rules), key=lambda s: (s.start, s.id)
        )
        self.now = problem.now
        if self.now == EPOCH and horizon:
            self.now = horizon[0].start
        self.slots: list[SlotInfo] = [
            SlotInfo(i, s.id, s.rota, s.start, s.end, s.roles, True) for i, s in enumerate(horizon)
        ]
        self.horizon_count = len(self.slots)
        self.slot_index = {s.id: s.index for s in self.slots}
        self.eligibility: list[dict[str, Eligibility]] = [
            {e.rota: e for e in p.eligibility if e.rota in self.rules} for p in self.people
        ]
        self.members: dict[str, list[int]] = {rota: [] for rota in self.rules}
        for p, elig in enumerate(self.eligibility):
            for rota in elig:
                self.members[rota].append(p)
        self._rebuild_past_slots()
        self.working = WorkingTimes()
        self.work_keys: list[WorkKey] = [(p.zone, p.windows) for p in self.people]
        key_ids: dict[WorkKey, int] = {}
        self.work_key_id = [key_ids.setdefault(k, len(key_ids)) for k in self.work_keys]
        self.time_off = [TimeOff(p.unavailable) for p in self.people]
        # works[key id][slot] -> (working seconds > 0, hours mask), filled lazily per key
        self._works: dict[tuple[int, int], tuple[bool, int]] = {}
        self._working_times: dict[tuple[int, int], WorkingTime] = {}
        self.blocked: list[dict[int, str]] = [{} for _ in self.people]
        self._compute_availability()
        self.fair_share: dict[str, list[float]] = {}
        self.history_load: dict[str, list[float]] = {}
        self._compute_fair_shares()

    # -- building ------------------------------------------------------------------------

    def _rebuild_past_slots(self) -> None:
        """Group everyone's past duties into slots; skip those the horizon already holds."""
        in_horizon = {(s.rota, s.start, s.end) for s in self.slots}
        groups: dict[tuple[str, datetime, datetime], list[tuple[int, str]]] = {}
        self.past_duties: list[list[tuple[datetime, datetime, str]]] = [[] for _ in self.people]
        self.shadowed_before: list[dict[str, datetime]] = [{} for _ in self.people]
        for p, person in enumerate(self.people):
            for duty in person.history:
                if duty.rota not in self.rules:
                    continue
                key = (duty.rota, duty.start, duty.end)
                if key in in_horizon:
                    continue
                groups.setdefault(key, []).append((p, duty.role))
                self.past_duties[p].append((duty.start, duty.end, duty.rota))
                if duty.role == "shadow":
                    known = self.shadowed_before[p].get(duty.rota)
                    if known is None or duty.start < known:
                        self.shadowed_before[p][duty.rota] = duty.start
        for (rota, start, end), entries in sorted(groups.items()):
            info = SlotInfo(
                index=len(self.slots),
                id=f"{rota}@{start.isoformat()}",
                rota=rota,
                start=start,
                end=end,
                roles=tuple(sorted(role for _, role in entries)),
                horizon=False,
            )
            info.past_people = [p for p, _ in entries]
            self.slots.append(info)

    def working_time(self, p: int, s: int) -> WorkingTime:
        """Person p's normal working time inside slot s (shared by their zone and windows)."""
        key = (self.work_key_id[p], s)
        found = self._working_times.get(key)
        if found is None:
            slot = self.slots[s]
            found = self.working.within(self.work_keys[p], slot.start, slot.end)
            self._working_times[key] = found
            self._works[key] = (found.seconds > 0, found.hours_mask)
        return found

    def works(self, p: int, s: int) -> tuple[bool, int]:
        """(has working time inside slot s, UTC hours mask) for person p."""
        key = (self.work_key_id[p], s)
        found = self._works.get(key)
        if found is None:
            slot = self.slots[s]
            found = self.working.summary(self.work_keys[p], slot.start, slot.end)
            self._works[key] = found
        return found

    def roles_fit(self, p: int, s: int) -> bool:
        slot = self.slots[s]
        elig = self.eligibility[p].get(slot.rota)
        return elig is not None and not elig.roles.isdisjoint(slot.role_set)

    def _compute_availability(self) -> None:
        by_rota: dict[str, list[SlotInfo]] = {}
        for slot in self.slots:
            by_rota.setdefault(slot.rota, []).append(slot)
        for rota, slots in by_rota.items():
            slots.sort(key=lambda s: s.start)
            starts = [s.start for s in slots]
            longest = max((s.end - s.start for s in slots), default=timedelta(0))
            fraction = self.rules[rota].min_available_fraction
            for p in self.members[rota]:
                blocked = self.blocked[p]
                joined = self.people[p].joined
                if joined is not None:
                    for slot in slots:
                        if slot.start >= joined:
                            break
                        if self._fits(p, slot.index):
                            blocked[slot.index] = "joined later"
                for off_start, off_end in self.time_off[p].spans:
                    first = _bisect_after(starts, off_start - longest)
                    for slot in slots[first:]:
                        if slot.start >= off_end:
                            break
                        if slot.end <= off_start or slot.index in blocked:
                            continue
                        if not self.roles_fit(p, slot.index):
                            continue
                        working = self.working_time(p, slot.index)
                        if working.seconds <= 0:
                            continue
                        if self.time_off[p].free_fraction(working) < fraction:
                            blocked[slot.index] = "on time off"
            self._count_available(rota, slots)

    def _groups(self, rota: str) -> dict[tuple[int, frozenset[str]], list[int]]:
        """The rota's members grouped by (zone and windows, roles): they share availability
        except for their own time off."""
        groups: dict[tuple[int, frozenset[str]], list[int]] = {}
        for p in self.members[rota]:
            key = (self.work_key_id[p], self.eligibility[p][rota].roles)
            groups.setdefault(key, []).append(p)
        return groups

    def _count_available(self, rota: str, slots: list[SlotInfo]) -> None:
        groups = list(self._groups(rota).values())
        blocked_in: dict[int, list[int]] = {}
        for p in self.members[rota]:
            for s in self.blocked[p]:
                blocked_in.setdefault(s, []).append(p)
        for slot in slots:
            count = 0
            for group in groups:
                first = group[0]
                if self.works(first, slot.index)[0] and self.roles_fit(first, slot.index):
                    count += len(group)
            # blocked entries are only made where the person would otherwise count
            count -= len(blocked_in.get(slot.index, ()))
            slot.available_count = count

    def _fits(self, p: int, s: int) -> bool:
        return self.works(p, s)[0] and self.roles_fit(p, s)

    def is_available(self, p: int, s: int) -> bool:
        """Working time inside slot s, enough of it free, joined by then. (Opt-in is a
        separate check: `roles_fit`.)"""
        return s not in self.blocked[p] and self.works(p, s)[0]

    def unavailable_reason(self, p: int, s: int) -> str | None:
        reason = self.blocked[p].get(s)
        if reason is not None:
            return reason
        if not self.works(p, s)[0]:
            return "no working hours in the slot"
        return None

    def _compute_fair_shares(self) -> None:
        for rota in self.rules:
            self.fair_share[rota] = [0.0] * len(self.people)
            self.history_load[rota] = [0.0] * len(self.people)
        for slot in self.slots:
            rules = self.rules[slot.rota]
            slot.weight = decay_weight(slot.start, self.now, rules.history_half_life_weeks)
            if slot.available_count:
                slot.share = slot.weight * len(slot.roles) / slot.available_count
            history = self.history_load[slot.rota]
            for p in slot.past_people:
                history[p] += slot.weight
        for rota in self.rules:
            shares = self.fair_share[rota]
            slots = [s for s in self.slots if s.rota == rota and s.share]
            for group in self._groups(rota).values():
                first = group[0]
                base = sum(s.share for s in slots if self._fits(first, s.index))
                for p in group:
                    own = base
                    for s in self.blocked[p]:
                        slot = self.slots[s]
                        if slot.rota == rota:
                            own -= slot.share
                    shares[p] = own

    def shadow_qualified(self, p: int, rota: str, before: datetime) -> bool:
        known = self.shadowed_before[p].get(rota)
        return known is not None and known < before


def _bisect_after(starts: list[datetime], instant: datetime) -> int:
    low, high = 0, len(starts)
    while low < high:
        middle = (low + high) // 2
        if starts[middle] <= instant:
            low = middle + 1
        else:
            high = middle
    return low
