"""Human-readable reasons: "why you, why this week", and why a seat stayed empty."""

from __future__ import annotations

from rota.engine.availability import popcount
from rota.engine.model import Explanation
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_PREVIOUS
from rota.engine.solver import Solver

_SOURCES = {
    ORIGIN_FROZEN: "fixed before planning (freeze window, accepted swap or manual override)",
    ORIGIN_PREVIOUS: "kept from the previous plan; it still fits every rule",
    ORIGIN_MOVED: "moved here to even out the load: others had clearly more than their share",
}


def explanations(solver: Solver) -> list[Explanation]:
    ctx, roster = solver.ctx, solver.roster
    result = []
    for s in range(ctx.horizon_count):
        slot = ctx.slots[s]
        total_hours = popcount(roster.mask(s))
        for k, p in enumerate(roster.seats[s]):
            if p < 0:
                continue
            role = slot.roles[k]
            rota = slot.rota
            load = roster.load[rota][p]
            share = ctx.fair_share[rota][p]
            source = _SOURCES.get(roster.origin[s][k], "")
            if not source:
                owed = solver.owed_when_picked.get((s, k), 0.0)
                source = (
                    f"of the {slot.available_count} people available then, you were among "
                    f"those with the most of their fair share still to do ({owed:.2f} of "
                    f"{share:.2f} duties when this duty was filled)"
                )
            # The rota is named by the page or feed around this text; the engine knows only
            # its id.
            parts = [
                f"As {role}: {source}.",
                f"Your fair share over decayed history and this plan is {share:.2f} duties; "
                f"you carry {load:.2f} including this one.",
            ]
            own = ctx.works(p, s)[1]
            if own and len(slot.roles) >= 2:
                added = popcount(own & ~roster.mask(s, skip_seat=k))
                parts.append(
                    f"Your working hours cover {popcount(own)} of the 24 UTC hours, "
                    f"{added} of them nobody else on this slot covers; together "
                    f"the slot covers {total_hours}."
                )
            if (s, k) in roster.relaxed:
                parts.append(
                    "You share an organisation with someone else on this slot: "
                    "nobody from another organisation could take the seat."
                )
            if role == "lead" and ctx.rules[rota].lead_requires_shadow:
                if roster.shadow_qualified(p, s):
                    parts.append("You have been shadow before.")
                else:
                    parts.append(
                        "You have not been shadow before: nobody available who had been "
                        "could take the lead."
                    )
            result.append(Explanation(ctx.people[p].id, slot.id, role, " ".join(parts)))
    return result
