"""Stored shifts and duties for view tests, written directly (independent of the planner)."""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import User
from rota.rotas.models import Assignment, Rota, Shift


def make_shift(
    rota: Rota, starts_at: datetime, *, weeks: int = 1, covered_hours: list[int] | None = None
) -> Shift:
    return Shift.objects.create(
        rota=rota,
        key=f"{rota.pk}:{starts_at:%Y-%m-%dT%H:%M}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(weeks=weeks),
        covered_hours=covered_hours if covered_hours is not None else list(range(3, 17)),
    )


def make_duty(shift: Shift, person: User, role: str = "reviewer", **fields: object) -> Assignment:
    return Assignment.objects.create(shift=shift, person=person, role=role, **fields)
