"""Planner quality and speed: the engine against two baselines and an exact solver.

    .venv/bin/python -m benchmarks.plan_quality [--quick] [--exact-limit SECONDS]

Runtimes are printed in seconds and as a ratio to a fixed pure-Python workload timed in the
same process ("calib"), so numbers from noisy machines can be compared.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baselines import least_loaded, round_robin
from benchmarks.instances import instance
from rota.engine import Assignment, Metrics, Problem, evaluate, plan
from rota.engine.context import Context

FULL_SIZES = [(50, 26), (50, 52), (200, 52), (200, 104), (1000, 52), (1000, 104), (5000, 104)]
QUICK_SIZES = [(50, 26), (200, 52), (1000, 104)]
EXACT_UP_TO = 200


def calibration_seconds() -> float:
    """A fixed pure-Python workload (dict and float churn, like the planner's)."""
    started = time.perf_counter()
    table: dict[int, float] = {}
    for i in range(300_000):
        table[i % 1000] = table.get(i % 1000, 0.0) + i * 0.5
    return time.perf_counter() - started


def worst_movable(m: Metrics) -> float:
    """The worst |deviation| among people a planner can still help: leaving out those over
    their share from history alone (no duty planned, yet above fair share)."""
    return max(
        (abs(p.deviation) for p in m.people if p.duties > 0 or p.deviation <= 0), default=0.0
    )


def row(name: str, m: Metrics, seconds: float, calib: float, note: str = "") -> str:
    return (
        f"| {name:<13} | {m.hard_violations:>4} | {m.worst_deviation:>6.2f} "
        f"| {worst_movable(m):>6.2f} | {m.spread:>6.2f} "
        f"| {m.gini:>5.3f} | {m.worst_organisation_deviation:>6.3f} | {m.min_coverage_hours:>3} "
        f"| {m.mean_coverage_hours:>5.1f} | {seconds:>7.3f} | {seconds / calib:>7.1f} | {note} |"
    )


HEADER = (
    "| planner       | viol | worst  | worst* | spread | gini  | orgdev | min | mean  | seconds "
    "| x calib | note |\n"
    "|---------------|------|--------|--------|--------|-------|--------|-----|-------|---------"
    "|---------|------|"
)


def timed(run: Callable[[], tuple[Assignment, ...]]) -> tuple[tuple[Assignment, ...], float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def bench(volunteers: int, weeks: int, exact_limit: float) -> list[str]:
    problem: Problem = instance(volunteers, weeks)
    # measured next to the runs it scales, since the machine's load drifts during a run
    calib = min(calibration_seconds() for _ in range(3))
    lines = [
        f"\n**{volunteers} volunteers x {weeks} weeks** (2 reviewer seats a week; "
        f"calib {calib:.4f} s)\n",
        HEADER,
    ]
    started = time.perf_counter()
    result = plan(problem)
    engine_seconds = time.perf_counter() - started
    lines.append(row("engine", result.metrics, engine_seconds, calib))
    ctx = Context(problem)
    for name, baseline in (("round robin", round_robin), ("least loaded", least_loaded)):
        assignments, seconds = timed(lambda b=baseline: b(problem, ctx))  # type: ignore[misc]
        lines.append(row(name, evaluate(problem, assignments, ctx), seconds, calib))
    if volunteers <= EXACT_UP_TO and exact_limit > 0:
        from benchmarks.exact import solve_exact

        for name, fair in (("CP-SAT", False), ("CP-SAT fair", True)):
            exact = solve_exact(problem, ctx, exact_limit, fair=fair)
            if exact.assignments:
                note = f"{exact.status}, worst >= {exact.deviation_bound:.2f}"
                metrics = evaluate(problem, exact.assignments, ctx)
                lines.append(row(name, metrics, exact.seconds, calib, note))
            else:
                lines.append(f"| {name} | {exact.status} after {exact.seconds:.1f}s |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="three small instances only")
    parser.add_argument(
        "--exact-limit", type=float, default=None, help="CP-SAT seconds per phase (0: skip)"
    )
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    limit = args.exact_limit if args.exact_limit is not None else (5.0 if args.quick else 30.0)
    print("calib: a fixed pure-Python workload, best of 3, timed before each instance")
    print(
        "columns: hard violations, worst |deviation| from fair share (worst*: leaving out"
        " people above their share from history alone) and spread (duties), Gini"
        " of load / fair share, worst organisation share deviation, min and mean covered UTC"
        " hours per week"
    )
    for volunteers, weeks in sizes:
        for line in bench(volunteers, weeks, limit):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
