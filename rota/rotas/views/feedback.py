"""What a person is told after an action (Django's messages framework), in their own time."""

from __future__ import annotations

from accounts.models import User
from rota.rotas.models import Assignment, Rota, SwapRequest
from rota.rotas.selectors import swap_takers_count
from rota.rotas.views.request_parsing import local_time_text


def duty_text(duty: Assignment, me: User) -> str:
    shift = duty.shift
    when = local_time_text(shift.starts_at, me.time_zone)
    return f"the {duty.role} duty on {shift.rota.name} from {when}"


def swap_asked_text(swap: SwapRequest, me: User) -> str:
    takers = swap_takers_count(swap)
    asked = f"You asked for someone to take {duty_text(swap.assignment, me)}."
    if swap.target is not None:
        if takers:
            return f"{asked} We told {swap.target.name}; the duty stays yours until they take it."
        return f"{asked} {swap.target.name} cannot take it just now; it stays yours."
    if takers == 0:
        return f"{asked} Nobody can take it just now; it stays yours until someone can."
    people = "1 person" if takers == 1 else f"{takers} people"
    return (
        f"{asked} {people} can take it: they see your request on their Swaps page, and the"
        " duty stays yours until one of them takes it."
    )


def swap_taken_text(swap: SwapRequest | None, taken: Assignment, me: User) -> str:
    whose = f"{swap.requester.name}'s" if swap else "the"
    duty = duty_text(taken, me).removeprefix("the ")
    return f"You took {whose} {duty}. It is in your duties now."


def swap_withdrawn_text(swap: SwapRequest | None, me: User) -> str:
    duty = f" for {duty_text(swap.assignment, me)}" if swap else ""
    return f"You withdrew your swap request{duty}; the duty stays yours."


def membership_changed_text(rota: Rota, action: str) -> str:
    weeks = rota.freeze_weeks
    kept = f"duties in the next {weeks} week{'s' * (weeks != 1)} stay yours"
    if action == "leave":
        return f"You left {rota.name}; {kept}."
    if action == "pause":
        return f"You paused {rota.name}; {kept}, later ones go to others."
    return f"You are back in {rota.name}; new duties can come your way at the next planning."


def signed_up_text(user: User, joined: list[str]) -> str:
    if not joined:
        return f"Welcome to Rota, {user.name}. You are in no rota yet: choose one in My rotas."
    return f"Welcome to Rota, {user.name}. You joined {', '.join(joined)}."
