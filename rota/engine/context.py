"""The problem, indexed for planning: who is available for which slot, and everyone's fair share.

Availability is decided per (person, slot) by three facts:

* working time: the person's windows inside the slot, shared by everyone with the same zone and
  windows (computed once per such group and slot);
* time off: a person is blocked when less than `min_available_fraction` of that working time
  is free, or they joined after the slot started;
* a person with no working time inside a slot is unavailable for it.

Fair shares, per rota. Each slot's seats (weight x seats; the weight halves every
`history_half_life_weeks` before `now`) are split among the people available for it in
proportion to their share weight (1 full, 0.5 half, 0.25 a quarter). Splitting the past slots
(rebuilt from history, plus history known only as counts) gives a person's *past part*,
splitting the horizon's their *horizon part*. Then water-filling: everyone's fair share is
`past part + level x horizon part` at one common level, chosen so the shares add up to
everything done and to do, but clamped between what the person already carries (nobody's new
share is negative: someone above their share from history alone gets no new duty, and the rest
is split among the others) and that plus the duties their caps and spacing still allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rota.engine.availability import TimeOff, WorkingTime, WorkingTimes, WorkKey
from rota.engine.fairness import decay_weight
from rota.engine.model import EPOCH, QUARTER_WEEKS, Eligibility, Problem, RotaRules
from rota.engine.timeslots import utc_to_local_date


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
    available_weight: float = 0.0
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
        self.share_weight = [max(0.0, p.share) for p in self.people]
        self._local_days: dict[tuple[str, datetime], int] = {}
        self._spaced_cache: dict[tuple[object, ...], int] = {}
        self._horizon_of: dict[frozenset[str], list[SlotInfo]] = {}
        self._compute_availability()
        self.fair_share: dict[str, list[float]] = {}
        self.history_load: dict[str, list[float]] = {}
        #: each person's part of the horizon's seats, by share weight, before water-filling
        self.horizon_part: dict[str, list[float]] = {}
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
        group_weights = [sum(self.share_weight[p] for p in group) for group in groups]
        for slot in slots:
            count = 0
            weight = 0.0
            for group, group_weight in zip(groups, group_weights, strict=True):
                first = group[0]
                if self.works(first, slot.index)[0] and self.roles_fit(first, slot.index):
                    count += len(group)
                    weight += group_weight
            # blocked entries are only made where the person would otherwise count
            blocked = blocked_in.get(slot.index, ())
            count -= len(blocked)
            weight -= sum(self.share_weight[p] for p in blocked)
            slot.available_count = count
            slot.available_weight = max(0.0, weight)

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

    def local_day(self, p: int, instant: datetime) -> int:
        """The date of `instant` on person p's local calendar, as an ordinal (spacing counts
        calendar days between local start dates)."""
        key = (self.people[p].zone, instant)
        day = self._local_days.get(key)
        if day is None:
            day = utc_to_local_date(instant, key[0]).toordinal()
            self._local_days[key] = day
        return day

    def _compute_fair_shares(self) -> None:
        """Fair shares, weighted by each person's share and water-filled (module docstring)."""
        weights = self.share_weight
        past_parts: dict[str, list[float]] = {}
        totals: dict[str, float] = {}
        for slot in self.slots:
            rules = self.rules[slot.rota]
            slot.weight = decay_weight(slot.start, self.now, rules.history_half_life_weeks)
            if slot.available_weight > 0:
                slot.share = slot.weight * len(slot.roles) / slot.available_weight
        for rota in self.rules:
            past_part = [0.0] * len(self.people)
            horizon_part = [0.0] * len(self.people)
            history = [0.0] * len(self.people)
            slots = [s for s in self.slots if s.rota == rota and s.share]
            for slot in slots:
                for p in slot.past_people:
                    history[p] += slot.weight
            for group in self._groups(rota).values():
                first = group[0]
                past = horizon = 0.0
                for s in slots:
                    if self._fits(first, s.index):
                        if s.horizon:
                            horizon += s.share
                        else:
                            past += s.share
                for p in group:
                    own_past, own_horizon = past, horizon
                    for b in self.blocked[p]:
                        slot = self.slots[b]
                        if slot.rota == rota and slot.share:
                            if slot.horizon:
                                own_horizon -= slot.share
                            else:
                                own_past -= slot.share
                    past_part[p] = own_past * weights[p]
                    horizon_part[p] = max(0.0, own_horizon) * weights[p]
            self._add_counted_history(rota, past_part, history)
            self.history_load[rota] = history
            self.horizon_part[rota] = horizon_part
            past_parts[rota] = past_part
            totals[rota] = sum(history) + sum(
                s.weight * len(s.roles) for s in slots if s.horizon and s.available_weight > 0
            )
        # limits across rotas are shared out by the horizon parts of every rota, so all parts
        # come first
        for rota in self.rules:
            self.fair_share[rota] = _water_fill(
                past_parts[rota],
                self.horizon_part[rota],
                self.history_load[rota],
                self._new_duty_bounds(rota),
                totals[rota],
            )

    def _add_counted_history(self, rota: str, past_part: list[float], history: list[float]) -> None:
        """History known only as counts: each person's count is their load (decayed as if done
        halfway through its weeks), and the counts together are shared, by share weight, among
        the rota's members who had joined before `now`."""
        pool = 0.0
        for p, person in enumerate(self.people):
            for count in person.past_counts:
                if count.rota == rota and count.duties > 0:
                    middle = self.now - timedelta(weeks=count.weeks / 2)
                    rules = self.rules[rota]
                    load = count.duties * decay_weight(
                        middle, self.now, rules.history_half_life_weeks
                    )
                    history[p] += load
                    pool += load
        if pool <= 0:
            return
        present = [p for p in self.members[rota] if _joined_by(self.people[p].joined, self.now)]
        weight = sum(self.share_weight[p] for p in present)
        if weight <= 0:
            return
        for p in present:
            past_part[p] += pool * self.share_weight[p] / weight

    def _new_duty_bounds(self, rota: str) -> list[float]:
        """The most duties of `rota` each person can take in the horizon under their caps and
        spacing, the limits across rotas shared out by their horizon parts."""
        horizon = [s for s in self.slots[: self.horizon_count] if s.rota == rota]
        bounds = [float("inf")] * len(self.people)
        for p in self.members[rota]:
            elig = self.eligibility[p][rota]
            person = self.people[p]
            limits = person.limits
            bound = float("inf")
            if elig.max_duties is not None:
                bound = float(elig.max_duties)
            spacing = max(elig.min_weeks_between, limits.min_weeks_between)
            if spacing > 1:
                bound = min(bound, float(self._spaced_count(p, horizon, 7 * spacing)))
            overall = float("inf")
            if person.max_per_quarter is not None:
                overall = min(
                    overall, person.max_per_quarter * self._spaced_all(p, 7 * QUARTER_WEEKS)
                )
            if limits.max_duties is not None and limits.per_weeks > 0:
                overall = min(
                    overall, limits.max_duties * self._spaced_all(p, 7 * limits.per_weeks)
                )
            if limits.min_weeks_between > 1:
                overall = min(overall, self._spaced_all(p, 7 * limits.min_weeks_between))
            if overall < float("inf"):
                mine = self.horizon_part[rota][p]
                everywhere = sum(self.horizon_part[r][p] for r in self.eligibility[p])
                if everywhere > 0:
                    overall *= mine / everywhere
                bound = min(bound, overall)
            bounds[p] = bound
        return bounds

    def _spaced_all(self, p: int, min_days: int) -> float:
        """`_spaced_count` over the slots of all p's rotas (a bound for limits across rotas:
        K in M weeks allows at most K times the M-week-spaced count)."""
        rotas = frozenset(self.eligibility[p])
        mine = self._horizon_of.get(rotas)
        if mine is None:
            mine = [s for s in self.slots[: self.horizon_count] if s.rota in rotas]
            self._horizon_of[rotas] = mine
        return float(self._spaced_count(p, mine, min_days))

    def _spaced_count(self, p: int, horizon: list[SlotInfo], min_days: int) -> int:
        """How many of the slots p may take (working time, opt-in, joined by then) can be
        taken `min_days` apart: greedy by start, which is the most. Time off is left out (this
        is an upper bound), so the count is shared by everyone with the same zone, windows,
        roles and joining date."""
        person = self.people[p]
        rotas = tuple(sorted({s.rota for s in horizon}))
        key = (
            self.work_key_id[p],
            tuple((r, self.eligibility[p][r].roles) for r in rotas if r in self.eligibility[p]),
            person.joined,
            min_days,
            rotas,
        )
        found = self._spaced_cache.get(key)
        if found is not None:
            return found
        count = 0
        last: int | None = None
        for slot in horizon:
            if person.joined is not None and slot.start < person.joined:
                continue
            if not self.works(p, slot.index)[0] or not self.roles_fit(p, slot.index):
                continue
            day = self.local_day(p, slot.start)
            if last is None or day - last >= min_days:
                count += 1
                last = day
        self._spaced_cache[key] = count
        return count

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


def _joined_by(joined: datetime | None, now: datetime) -> bool:
    return joined is None or joined < now


def _water_fill(
    past: list[float], horizon: list[float], history: list[float], bounds: list[float], total: float
) -> list[float]:
    """Fair shares summing to `total`: `past + level x horizon` for everyone, at one `level`,
    but never below what a person already carries (nobody's new share is negative) nor above
    it plus the duties they can still take. The level is found by bisection over the people
    with a part in the rota (everyone else's share is 0)."""
    rows = [
        (f, z, h, b)
        for f, z, h, b in zip(past, horizon, history, bounds, strict=True)
        if f or z or h
    ]

    def filled(level: float) -> float:
        return sum(min(h + b, max(h, f + level * z)) for f, z, h, b in rows)

    low, high = -1.0, 1.0
    while filled(low) > total and low > -1e9:
        low *= 4
    while filled(high) < total and high < 1e9:
        high *= 4
    for _ in range(100):
        if high - low <= 1e-12 * max(1.0, abs(high)):
            break
        middle = (low + high) / 2
        if filled(middle) < total:
            low = middle
        else:
            high = middle
    return [
        min(h + b, max(h, f + high * z))
        for f, z, h, b in zip(past, horizon, history, bounds, strict=True)
    ]
