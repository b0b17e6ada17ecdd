"""The engine's vocabulary: frozen dataclasses in, frozen dataclasses out.

Every datetime is aware and in UTC, except a `Window`, which is a person's local wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

#: `Problem.now` when the caller gave none: the engine then measures the age of history from
#: the earliest slot's start.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ROTA_KINDS = ("review", "release", "triage")


@dataclass(frozen=True)
class Window:
    """A weekly stretch of normal working time on the person's local wall clock.

    `weekday` 0 is Monday. When `end <= start` the window runs overnight into the next day
    (`end == start` is a full 24 hours).
    """

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Interval:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Eligibility:
    """A person's opt-in to one rota: which roles, and how often at most."""

    rota: str
    roles: frozenset[str]
    min_weeks_between: int = 1
    max_duties: int | None = None


@dataclass(frozen=True)
class PastDuty:
    rota: str
    start: datetime
    end: datetime
    role: str


@dataclass(frozen=True)
class PastCount:
    """History known only as a count: `duties` done in `rota` over the `weeks` before `now`.

    Counts have no dates, so they weigh in fair shares (decayed as if done at the middle of
    those weeks) but not in spacing, rest or caps."""

    rota: str
    duties: int
    weeks: int = 52


@dataclass(frozen=True)
class PersonLimits:
    """A person's limits across all the rotas they serve (each rota's own limits stay).

    * `min_weeks_between`: at most one duty of any kind every N weeks (local start dates at
      least 7N calendar days apart; 0 or 1 mean no extra limit beyond overlaps);
    * `max_duties` in any `per_weeks` weeks (both set, or neither);
    * `min_rest`: the least gap between the end of one duty and the start of the next.
    """

    min_weeks_between: int = 0
    max_duties: int | None = None
    per_weeks: int = 0
    min_rest: timedelta = timedelta(0)


#: the share names a person may give, as fractions of a full share
SHARES = {"full": 1.0, "half": 0.5, "quarter": 0.25}
#: weeks in a quarter, for `Person.max_per_quarter`
QUARTER_WEEKS = 13


@dataclass(frozen=True)
class Person:
    """`share` (1 full, 0.5 half, 0.25 a quarter) scales the person's fair share;
    `max_per_quarter` caps their duties, all rotas together, in any 13 weeks."""

    id: str
    zone: str
    organisation: str
    windows: tuple[Window, ...]
    unavailable: tuple[Interval, ...]
    eligibility: tuple[Eligibility, ...]
    history: tuple[PastDuty, ...] = ()
    joined: datetime | None = None
    share: float = 1.0
    max_per_quarter: int | None = None
    limits: PersonLimits = PersonLimits()
    past_counts: tuple[PastCount, ...] = ()


@dataclass(frozen=True)
class Slot:
    """One duty period of one rota; `roles` has one entry per seat."""

    id: str
    rota: str
    start: datetime
    end: datetime
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RotaRules:
    rota: str
    kind: str
    min_available_fraction: float = 0.5
    min_rest: timedelta = timedelta(0)
    one_per_organisation: bool = True
    min_coverage_hours: int = 0
    history_half_life_weeks: float = 26.0
    lead_requires_shadow: bool = True


@dataclass(frozen=True)
class Assignment:
    """`why`, in `previous` and `frozen`: the reason the duty was first given, in plain words
    (the plan's explanation of it); a re-plan keeps it and says what changed since."""

    slot_id: str
    person_id: str
    role: str
    why: str = ""


@dataclass(frozen=True)
class Problem:
    rotas: tuple[RotaRules, ...]
    people: tuple[Person, ...]
    slots: tuple[Slot, ...]
    frozen: tuple[Assignment, ...] = ()
    previous: tuple[Assignment, ...] = ()
    seed: int = 0
    now: datetime = EPOCH


@dataclass(frozen=True)
class Unfilled:
    slot_id: str
    role: str
    reason: str


@dataclass(frozen=True)
class CoverageShortfall:
    """A review week left below its rota's `min_coverage_hours`, and why."""

    slot_id: str
    covered_hours: int
    target_hours: int
    reason: str


@dataclass(frozen=True)
class Explanation:
    """`text`: the whole explanation; `first`: the reason the duty was first given, to be
    passed back as the assignment's `why` in the next re-plan's `previous`."""

    person_id: str
    slot_id: str
    role: str
    text: str
    first: str = ""


@dataclass(frozen=True)
class PersonMetrics:
    """`load` and `fair_share` count decayed history plus the horizon; `duties` only the
    horizon. `deviation = load - fair_share` (positive: more than their share)."""

    person_id: str
    duties: int
    load: float
    fair_share: float
    deviation: float


@dataclass(frozen=True)
class SlotMetrics:
    """`covered_mask` has bit h set when the slot's people together cover UTC hour h."""

    slot_id: str
    seats: int
    filled: int
    covered_hours: int
    covered_mask: int = 0

    @property
    def covered_utc_hours(self) -> tuple[int, ...]:
        return tuple(hour for hour in range(24) if self.covered_mask >> hour & 1)


@dataclass(frozen=True)
class OrganisationMetrics:
    """`share` of the horizon's (decayed) load against `expected_share`, the organisation's
    share of everyone's fair share (its share of available volunteers)."""

    organisation: str
    duties: int
    share: float
    expected_share: float
    deviation: float


@dataclass(frozen=True)
class Metrics:
    people: tuple[PersonMetrics, ...] = ()
    slots: tuple[SlotMetrics, ...] = ()
    organisations: tuple[OrganisationMetrics, ...] = ()
    worst_deviation: float = 0.0
    spread: float = 0.0
    gini: float = 0.0
    min_coverage_hours: int = 0
    mean_coverage_hours: float = 0.0
    worst_organisation_deviation: float = 0.0
    kept: int = 0
    changed: int = 0
    hard_violations: int = 0
    violations: tuple[str, ...] = ()
    unfilled: int = 0
    organisation_conflicts: int = 0
    leads_without_shadow: int = 0


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]
    unfilled: tuple[Unfilled, ...]
    explanations: tuple[Explanation, ...]
    metrics: Metrics = field(default_factory=Metrics)
    shortfalls: tuple[CoverageShortfall, ...] = ()
