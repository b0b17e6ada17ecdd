"""The planner's hard rules on one changed seat: a swap or a manager's override, checked on
the plan of the rota's whole community as it would be after the change.

The engine evaluates the stored plan with the seat given to the new person (rest, spacing,
limits across rotas, caps) and says which rules the person would break and which UTC hours
the shift would cover; callers show that coverage before the change is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rota import engine
from rota.rotas.models import Rota, Shift
from rota.rotas.planning.problem import community_rota_ids, problem_for_community


@dataclass(frozen=True)
class SeatCheck:
    problems: list[str]
    covered_before: list[int]
    covered_after: list[int]
    minimum: int

    @property
    def below_minimum(self) -> bool:
        return self.minimum > 0 and len(self.covered_after) < self.minimum

    @property
    def coverage_text(self) -> str:
        """ "This week would cover 9 of the rota's 16 hours (now 14)." or "" when it holds."""
        if not self.below_minimum:
            return ""
        return (
            f"This week would cover {len(self.covered_after)} of the rota's {self.minimum} "
            f"hours (now {len(self.covered_before)})."
        )


def seat_change_check(
    shift: Shift, role: str, person_id: int, replaced_person_id: int | None, now: datetime
) -> SeatCheck:
    rotas = list(Rota.objects.filter(pk__in=community_rota_ids(shift.rota_id)).order_by("pk"))
    problem, _releases, _skipped = problem_for_community(rotas, now)
    before = list(shift.covered_hours or [])
    if not any(s.id == shift.key for s in problem.slots):
        # A shift the plan no longer holds (past its horizon, or a release since cancelled):
        # no plan rules to check against; its coverage stays as stored.
        return SeatCheck([], before, before, shift.rota.min_coverage_hours)
    current = [
        a
        for a in (*problem.frozen, *problem.previous)
        if not (
            replaced_person_id is not None
            and a.slot_id == shift.key
            and a.person_id == str(replaced_person_id)
            and a.role == role
        )
    ]
    mine = engine.Assignment(shift.key, str(person_id), role)
    metrics = engine.evaluate(problem, (*current, mine))
    prefix = f"{person_id} on "
    problems = [_sentence(v.split(": ", 1)[-1]) for v in metrics.violations if v.startswith(prefix)]
    slot = next((s for s in metrics.slots if s.slot_id == shift.key), None)
    return SeatCheck(
        problems,
        before,
        list(slot.covered_utc_hours) if slot else before,
        shift.rota.min_coverage_hours,
    )


# The engine's refusals (rota/engine/roster.py), said to the person taking or setting a seat.
PLAIN_REFUSALS = {
    "not opted into the role": "This role is not among the ones they take in the rota.",
    "already in the slot": "They are already on duty in this shift.",
    "at capacity": "It is too close to another duty of theirs in this rota (their spacing "
    "between duties), or past the most duties they give in the horizon.",
    "needs rest": "It leaves too little rest between this and another of their duties.",
    "at their limit across rotas": "It is past their limit across rotas: too close to a duty "
    "in another rota, or too many duties in a few weeks.",
}


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    if text in PLAIN_REFUSALS:
        return PLAIN_REFUSALS[text]
    return (text[:1].upper() + text[1:] + ".") if text else "A planning rule refuses it."
