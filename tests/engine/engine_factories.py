"""Small builders for engine problems; tests say only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from rota.engine import (
    Assignment,
    Eligibility,
    Interval,
    PastDuty,
    Person,
    Problem,
    RotaRules,
    Slot,
    Window,
    weekly_slots,
)

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
OFFICE_HOURS = tuple(Window(day, time(9), time(17)) for day in range(5))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def person(
    pid: str,
    *,
    zone: str = "UTC",
    organisation: str | None = None,
    windows: tuple[Window, ...] = OFFICE_HOURS,
    off: tuple[tuple[datetime, datetime], ...] = (),
    rota: str = "review",
    roles: tuple[str, ...] = ("reviewer",),
    every: int = 1,
    cap: int | None = None,
    history: tuple[PastDuty, ...] = (),
    joined: datetime | None = None,
    extra: tuple[Eligibility, ...] = (),
) -> Person:
    return Person(
        id=pid,
        zone=zone,
        organisation=organisation or f"org-{pid}",
        windows=windows,
        unavailable=tuple(Interval(a, b) for a, b in off),
        eligibility=(Eligibility(rota, frozenset(roles), every, cap), *extra),
        history=history,
        joined=joined,
    )


def review_weeks(weeks: int, seats: int = 1, start: datetime = MONDAY) -> tuple[Slot, ...]:
    return weekly_slots(
        "review",
        0,
        time(0),
        "UTC",
        start,
        start + timedelta(weeks=weeks),
        ("reviewer",) * seats,
    )


def problem(
    people: list[Person] | tuple[Person, ...],
    slots: tuple[Slot, ...],
    *,
    rules: tuple[RotaRules, ...] = (),
    frozen: tuple[Assignment, ...] = (),
    previous: tuple[Assignment, ...] = (),
    seed: int = 0,
    now: datetime = MONDAY,
) -> Problem:
    return Problem(
        rotas=rules or (RotaRules("review", "review"),),
        people=tuple(people),
        slots=slots,
        frozen=frozen,
        previous=previous,
        seed=seed,
        now=now,
    )


def week(n: int, start: datetime = MONDAY) -> tuple[datetime, datetime]:
    """The n-th week (0-based) of the horizon as a time-off interval."""
    return start + timedelta(weeks=n), start + timedelta(weeks=n + 1)
