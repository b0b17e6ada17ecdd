"""Rota's planning engine: pure functions over frozen dataclasses, no Django, no I/O, no clock."""

from rota.engine.jsonfields import ProblemFormatError
from rota.engine.jsonio import plan_to_json, problem_from_json, problem_to_json
from rota.engine.metrics import evaluate
from rota.engine.model import (
    SHARES,
    Assignment,
    CoverageShortfall,
    Eligibility,
    Explanation,
    Interval,
    Metrics,
    OrganisationMetrics,
    PastCount,
    PastDuty,
    Person,
    PersonLimits,
    PersonMetrics,
    Plan,
    Problem,
    RotaRules,
    Slot,
    SlotMetrics,
    Unfilled,
    Window,
)
from rota.engine.planner import plan
from rota.engine.timeslots import cadence_dates, local_to_utc, release_slot, weekly_slots

__all__ = [
    "SHARES",
    "Assignment",
    "CoverageShortfall",
    "Eligibility",
    "Explanation",
    "Interval",
    "Metrics",
    "OrganisationMetrics",
    "PastCount",
    "PastDuty",
    "Person",
    "PersonLimits",
    "PersonMetrics",
    "Plan",
    "Problem",
    "ProblemFormatError",
    "RotaRules",
    "Slot",
    "SlotMetrics",
    "Unfilled",
    "Window",
    "cadence_dates",
    "evaluate",
    "local_to_utc",
    "plan",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "release_slot",
    "weekly_slots",
]
