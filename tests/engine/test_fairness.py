from __future__ import annotations

from datetime import timedelta

import pytest

from rota.engine.fairness import decay_weight, gini
from tests.engine.engine_factories import MONDAY


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], 0.0), ([2, 2, 2, 2], 0.0), ([0, 0, 0, 4], 0.75), ([1, 3], 0.25)],
)
def test_gini_is_zero_for_equal_loads_and_grows_with_inequality(
    values: list[float], expected: float
) -> None:
    assert gini(values) == pytest.approx(expected)


@pytest.mark.parametrize(("weeks_ago", "weight"), [(-3, 1.0), (0, 1.0), (26, 0.5), (52, 0.25)])
def test_a_past_duty_counts_half_after_one_half_life(weeks_ago: int, weight: float) -> None:
    start = MONDAY - timedelta(weeks=weeks_ago)
    assert decay_weight(start, MONDAY, 26.0) == pytest.approx(weight)
