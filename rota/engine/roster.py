"""The plan being built: who sits in which seat, and the hard rules checked against it.

Hard rules (`Roster.refusal` names the first one broken):

* opted into the rota and the seat's role;
* available (see `context`);
* not already in the slot;
* capacity: two duties of one rota need start dates at least `min_weeks_between` weeks apart
  on the person's local calendar (7 x N calendar days between local start dates, so a
  167-hour week across a DST change still counts as a week), and at most `max_duties` duties
  in the horizon; a person's "one duty every N weeks" in a rota also keeps N weeks between
  that rota's duties and their duties in any other rota (two rotas: the larger N);
* limits across rotas (`Person.limits`, `Person.max_per_quarter`): one duty of any kind every
  N weeks (local calendar days as above), at most K duties starting in any M weeks;
* rest: two duties of one person, any rota, may not overlap, and the gap between them must be at
  least the largest of their two rotas' `min_rest` and the person's own;
* one person per organisation per slot, when the rota asks for it (the solver relaxes this
  only when nobody else can fill a seat, and reports it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rota.engine.context import Context
from rota.engine.model import QUARTER_WEEKS

ORIGIN_FROZEN = "frozen"
ORIGIN_PREVIOUS = "previous"
ORIGIN_NEW = "new"
ORIGIN_MOVED = "moved"

REFUSAL_ROLE = "not opted into the role"
REFUSAL_IN_SLOT = "already in the slot"
REFUSAL_CAPACITY = "at capacity"
REFUSAL_REST = "needs rest"
REFUSAL_ORGANISATION = "organisation already on the slot"
REFUSAL_ACROSS = "at their limit across rotas"

Duty = tuple[datetime, datetime, str, int]  # start, end, rota, horizon slot index or -1


class Roster:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        horizon = ctx.slots[: ctx.horizon_count]
        self.seats: list[list[int]] = [[-1] * len(s.roles) for s in horizon]
        self.origin: list[list[str]] = [[""] * len(s.roles) for s in horizon]
        self.relaxed: set[tuple[int, int]] = set()
        self.duties: list[list[Duty]] = [
            [(start, end, rota, -1) for start, end, rota in past] for past in ctx.past_duties
        ]
        self.count: dict[str, list[int]] = {r: [0] * len(ctx.people) for r in ctx.rules}
        self.load: dict[str, list[float]] = {r: list(v) for r, v in ctx.history_load.items()}
        #: load minus fair share over each person's rotas, kept up to date by place/vacate
        self.total_deviation = [
            sum(self.load[r][p] - ctx.fair_share[r][p] for r in ctx.eligibility[p])
            for p in range(len(ctx.people))
        ]
        self.rest: dict[str, timedelta] = {r: rules.min_rest for r, rules in ctx.rules.items()}
        self.org_rule = {r: rules.one_per_organisation for r, rules in ctx.rules.items()}
        self.organisation = [p.organisation for p in ctx.people]
        self.limits = [p.limits for p in ctx.people]
        #: 7 x min_weeks_between of each rota a person serves
        self.spacing_days = [
            {rota: 7 * e.min_weeks_between for rota, e in elig.items()} for elig in ctx.eligibility
        ]
        #: (at most K duties, in any M weeks) per person, all rotas together
        self.windows: list[list[tuple[int, int]]] = []
        for person in ctx.people:
            windows = []
            if person.limits.max_duties is not None and person.limits.per_weeks > 0:
                windows.append((person.limits.max_duties, person.limits.per_weeks))
            if person.max_per_quarter is not None:
                windows.append((person.max_per_quarter, QUARTER_WEEKS))
            self.windows.append(windows)

    # -- queries -------------------------------------------------------------------------

    def deviation(self, p: int, rota: str = "") -> float:
        """Load minus fair share, all of p's rotas added up (as the metrics count it): a
        release duty and a review week weigh alike. `rota` only names the one in hand."""
        return self.total_deviation[p]

    def owed(self, p: int, rota: str = "") -> float:
        return -self.deviation(p, rota)

    def mask(self, s: int, skip_seat: int = -1) -> int:
        mask = 0
        for k, p in enumerate(self.seats[s]):
            if p >= 0 and k != skip_seat:
                mask |= self.ctx.works(p, s)[1]
        return mask

    def refusal(
        self, p: int, s: int, role: str, *, replacing: int = -1, org: bool = True
    ) -> str | None:
        """Why p may not take a `role` seat in slot s (None: they may).

        `replacing` is a seat index of s being vacated for p (its person is ignored).
        """
        ctx = self.ctx
        slot = ctx.slots[s]
        elig = ctx.eligibility[p].get(slot.rota)
        if elig is None or role not in elig.roles:
            return REFUSAL_ROLE
        unavailable = ctx.unavailable_reason(p, s)
        if unavailable is not None:
            return unavailable
        seats = self.seats[s]
        for k, other in enumerate(seats):
            if other == p and k != replacing:
                return REFUSAL_IN_SLOT
        if elig.max_duties is not None and self.count[slot.rota][p] >= elig.max_duties:
            return REFUSAL_CAPACITY
        limits = self.limits[p]
        rest = max(self.rest[slot.rota], limits.min_rest)
        min_days = 7 * elig.min_weeks_between
        any_days = 7 * limits.min_weeks_between if limits.min_weeks_between > 1 else 0
        day = ctx.local_day(p, slot.start)
        windows = self.windows[p]
        near: list[int] = []
        spacing = self.spacing_days[p]
        for start, end, rota, _ in self.duties[p]:
            days = abs(day - ctx.local_day(p, start))
            if rota == slot.rota and days < min_days:
                return REFUSAL_CAPACITY
            gap = max(slot.start - end, start - slot.end)
            if gap < max(rest, self.rest.get(rota, timedelta(0)), timedelta(0)):
                return REFUSAL_REST
            if rota != slot.rota and days < max(min_days, spacing.get(rota, 0)):
                return REFUSAL_ACROSS
            if days < any_days:
                return REFUSAL_ACROSS
            if windows:
                near.append(days)
        for most, weeks in windows:
            inside = sum(1 for days in near if days < 7 * weeks)
            if inside >= most and _window_overflows(ctx, p, day, self.duties[p], most, weeks):
                return REFUSAL_ACROSS
        if org and self.org_rule[slot.rota]:
            organisation = self.organisation[p]
            for k, other in enumerate(seats):
                if other >= 0 and k != replacing and self.organisation[other] == organisation:
                    return REFUSAL_ORGANISATION
        return None

    def shadow_qualified(self, p: int, s: int) -> bool:
        slot = self.ctx.slots[s]
        if self.ctx.shadow_qualified(p, slot.rota, slot.start):
            return True
        for start, _, rota, index in self.duties[p]:
            if index >= 0 and rota == slot.rota and start < slot.start:
                k = self.seats[index].index(p)
                if self.ctx.slots[index].roles[k] == "shadow":
                    return True
        return False

    def holds_lead(self, p: int, rota: str) -> bool:
        for _, _, duty_rota, index in self.duties[p]:
            if index >= 0 and duty_rota == rota:
                k = self.seats[index].index(p)
                if self.ctx.slots[index].roles[k] == "lead":
                    return True
        return False

    # -- changes -------------------------------------------------------------------------

    def place(self, p: int, s: int, k: int, origin: str) -> None:
        slot = self.ctx.slots[s]
        self.seats[s][k] = p
        self.origin[s][k] = origin
        self.duties[p].append((slot.start, slot.end, slot.rota, s))
        self.count[slot.rota][p] += 1
        self.load[slot.rota][p] += slot.weight
        if slot.rota in self.ctx.eligibility[p]:
            self.total_deviation[p] += slot.weight

    def vacate(self, s: int, k: int) -> int:
        slot = self.ctx.slots[s]
        p = self.seats[s][k]
        self.seats[s][k] = -1
        self.origin[s][k] = ""
        self.relaxed.discard((s, k))
        self.duties[p] = [d for d in self.duties[p] if d[3] != s]
        self.count[slot.rota][p] -= 1
        self.load[slot.rota][p] -= slot.weight
        if slot.rota in self.ctx.eligibility[p]:
            self.total_deviation[p] -= slot.weight
        return p

    def free_seat(self, s: int, role: str) -> int:
        """The first empty seat of slot s for `role`, or -1."""
        for k, r in enumerate(self.ctx.slots[s].roles):
            if r == role and self.seats[s][k] < 0:
                return k
        return -1


def _window_overflows(
    ctx: Context, p: int, day: int, duties: list[Duty], most: int, weeks: int
) -> bool:
    """Whether a duty starting on local `day` would make more than `most` duties of p start
    within some `weeks` weeks (7 x weeks calendar days)."""
    span = 7 * weeks
    days = sorted(
        d for d in (ctx.local_day(p, start) for start, _, _, _ in duties) if abs(d - day) < span
    )
    days.append(day)
    days.sort()
    return any(days[i + most] - days[i] < span for i in range(len(days) - most))
