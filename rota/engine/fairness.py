"""Fairness arithmetic: how past duties fade, and how unequal a set of loads is.

A person's fair share in a rota is the sum, over that rota's slots where they are available,
of `weight x seats / people available for the slot`; their load is the sum of the weights of
the duties they hold. Past duties are rebuilt into slots from everyone's history, so old slots
count too, with a weight that halves every `history_half_life_weeks` before `now` (slots at or
after `now` weigh 1). The plan aims at every person's load minus fair share (their deviation)
being as close to zero as possible: the worst deviation first, then the sum of squares.
(`context.Context` computes shares; `solver`, `rebalance` and `coverage` act on them.)
"""

from __future__ import annotations

from datetime import datetime

WEEK_SECONDS = 7 * 24 * 3600.0


def decay_weight(start: datetime, now: datetime, half_life_weeks: float) -> float:
    age_weeks = (now - start).total_seconds() / WEEK_SECONDS
    if age_weeks <= 0 or half_life_weeks <= 0:
        return 1.0
    return float(0.5 ** (age_weeks / half_life_weeks))


def gini(values: list[float]) -> float:
    """0 when everyone has the same, towards 1 when one has everything."""
    values = sorted(max(0.0, v) for v in values)
    total = sum(values)
    n = len(values)
    if n == 0 or total <= 0:
        return 0.0
    weighted = sum((2 * i - n + 1) * v for i, v in enumerate(values))
    return weighted / (n * total)
