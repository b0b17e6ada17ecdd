"""Human-readable reasons: "why you, why this week", and why a seat stayed empty."""

from __future__ import annotations

from rota.engine.availability import popcount
from rota.engine.model import Explanation
from rota.engine.roster import ORIGIN_FROZEN, ORIGIN_MOVED, ORIGIN_NEW, ORIGIN_PREVIOUS
from rota.engine.solver import Solver

_FROZEN = "fixed before planning (freeze window, accepted swap or manual override)"
_KEPT = "given in an earlier plan"


def _first_reason(solver: Solver, s: int, k: int, share: float) -> str:
    """Why the duty was first given, in plain words: the previous plan's reason when it is
    kept, else this plan's."""
    roster = solver.roster
    origin = roster.origin[s][k]
    slot = solver.ctx.slots[s]
    role = slot.roles[k]
    if origin == ORIGIN_PREVIOUS:
        why = solver.previous_why.get((s, k), (-1, ""))[1]
        return why or f"As {role}: {_KEPT}."
    if origin == ORIGIN_FROZEN:
        return solver.frozen_why.get((s, k)) or f"As {role}: {_FROZEN}."
    moved = solver.moves.get((s, k))
    if origin == ORIGIN_MOVED and moved:
        return f"As {role}: {moved}."
    owed = solver.owed_when_picked.get((s, k), 0.0)
    return (
        f"As {role}: of the {slot.available_count} people available then, you were among "
        f"those with the most of their fair share still to do ({owed:.2f} of {share:.2f} "
        f"duties when this duty was filled)."
    )


def _changes(solver: Solver, s: int, k: int) -> str:
    """What changed on the slot since the previous plan, for a duty kept from it."""
    ctx = solver.ctx
    if solver.roster.origin[s][k] != ORIGIN_PREVIOUS:
        return ""
    dropped = [
        f"{ctx.people[p].id} could no longer serve ({why})"
        for p, _, why in solver.dropped.get(s, ())
    ]
    if dropped:
        return f"Kept in this re-plan when {'; '.join(dropped)}."
    return "Kept in this re-plan: it still fits every rule."


def _share_words(solver: Solver, p: int) -> str:
    person = solver.ctx.people[p]
    words = {1.0: "", 0.5: " (you give half a share)", 0.25: " (you give a quarter share)"}
    text = words.get(person.share, f" (you give {person.share:g} of a full share)")
    if person.max_per_quarter is not None:
        text += f" (at most {person.max_per_quarter} duties a quarter)"
    return text


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
            first = _first_reason(solver, s, k, share)
            dropped_here = [
                (q, why) for q, r, why in solver.dropped.get(s, ()) if r == role and q != p
            ]
            if roster.origin[s][k] in (ORIGIN_NEW, ORIGIN_MOVED) and dropped_here:
                q, why = dropped_here[0]
                first += (
                    f" You took over from {ctx.people[q].id}, who could not serve any more ({why})."
                )
            # The rota is named by the page or feed around this text; the engine knows only
            # its id.
            parts = [first]
            change = _changes(solver, s, k)
            if change:
                parts.append(change)
            parts.append(
                f"Your fair share over decayed history and this plan is {share:.2f} duties"
                f"{_share_words(solver, p)}; you carry {load:.2f} including this one."
            )
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
            result.append(Explanation(ctx.people[p].id, slot.id, role, " ".join(parts), first))
    return result
