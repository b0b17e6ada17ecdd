"""Planning whole communities: the engine against CP-SAT on the same joint rules, and probes.

    .venv/bin/python -m benchmarks.community_quality [--quick] [--exact-limit SECONDS]
        [--exact-up-to VOLUNTEERS] [--sizes 50x26,200x52,...]

Instances come from `benchmarks.community` (review, release and triage planned together). For
each size the table gives hard-rule violations, the worst |deviation| from fair share (all of a
person's rotas added up), the least and mean covered UTC hours of a review week, unfilled
seats and seconds; CP-SAT runs on instances of up to `--exact-up-to` volunteers with
`--exact-limit` seconds in all (2 workers) and its proven lower bound on the worst deviation.
Then two probes on communities of 50 x 26, 50 x 52 and 200 x 26 (in larger ones a newcomer's
share is under one duty):

* newcomer: a volunteer joins the review rota (or review and triage) at `now`; the re-plan
  with the first plan as `previous` should give them at least the whole part of their share,
  with at most 2 moves per duty given;
* time off: a volunteer takes a week off over one of their duties; the re-plan should change
  at most that duty plus 2 (ten such probes, the worst reported).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.community import community
from benchmarks.instances import START, TEMPLATES
from rota.engine import (
    Assignment,
    Eligibility,
    Interval,
    Metrics,
    Person,
    Plan,
    evaluate,
    plan,
)
from rota.engine.context import Context

FULL_SIZES = [(50, 26), (50, 52), (200, 52), (200, 104), (1000, 104), (5000, 104)]
QUICK_SIZES = [(50, 26), (200, 52), (5000, 104)]
#: probe communities: small ones, where a newcomer's share is a duty or more
PROBE_SIZES = [(50, 26), (50, 52), (200, 26)]

HEADER = (
    "| size | planner | viol | worst | min | mean | unfilled | seconds | note |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


def row(size: str, name: str, m: Metrics, seconds: float, note: str = "") -> str:
    return (
        f"| {size} | {name} | {m.hard_violations} | {m.worst_deviation:.2f} "
        f"| {m.min_coverage_hours} | {m.mean_coverage_hours:.1f} | {m.unfilled} "
        f"| {seconds:.3f} | {note} |"
    )


def bench(volunteers: int, weeks: int, exact_limit: float, exact_up_to: int) -> list[str]:
    problem = community(volunteers, weeks)
    size = f"{volunteers} x {weeks} x 3"
    started = time.perf_counter()
    result = plan(problem)
    seconds = time.perf_counter() - started
    lines = [row(size, "engine", result.metrics, seconds, f"{len(result.shortfalls)} short")]
    if volunteers <= exact_up_to and exact_limit > 0:
        from benchmarks.exact import solve_joint

        ctx = Context(problem)
        exact = solve_joint(problem, ctx, exact_limit)
        if exact.assignments:
            m = evaluate(problem, exact.assignments, ctx)
            note = f"{exact.status}, worst >= {exact.deviation_bound:.2f}"
            lines.append(row(size, "CP-SAT", m, exact.seconds, note))
            e = result.metrics
            lines.append(
                f"| {size} | ratio | {e.hard_violations} vs {m.hard_violations} "
                f"| {e.worst_deviation - m.worst_deviation:+.2f} "
                f"| {e.min_coverage_hours - m.min_coverage_hours:+d} | | "
                f"| {100 * seconds / max(exact.seconds, 1e-9):.2f}% | engine minus CP-SAT; "
                "time as a share of CP-SAT's |"
            )
        else:
            lines.append(f"| {size} | CP-SAT | {exact.status} after {exact.seconds:.1f} s |")
    return lines


def with_reasons(first: Plan) -> tuple[Assignment, ...]:
    why = {(e.slot_id, e.person_id, e.role): e.first for e in first.explanations}
    return tuple(
        Assignment(a.slot_id, a.person_id, a.role, why.get((a.slot_id, a.person_id, a.role), ""))
        for a in first.assignments
    )


def newcomer_probe(volunteers: int = 200, weeks: int = 26) -> list[str]:
    base = community(volunteers, weeks)
    first = plan(base)
    previous = with_reasons(first)
    lines = []
    for name, rotas in (("review", ("review",)), ("review+triage", ("review", "triage"))):
        roles = {"review": frozenset({"reviewer"}), "triage": frozenset({"triager"})}
        newcomer = Person(
            id="newcomer",
            zone="Europe/Berlin",
            organisation="independent-newcomer",
            windows=TEMPLATES[0],
            unavailable=(),
            eligibility=tuple(Eligibility(r, roles[r]) for r in rotas),
            joined=START,
        )
        problem = replace(base, people=(*base.people, newcomer), previous=previous)
        started = time.perf_counter()
        again = plan(problem)
        seconds = time.perf_counter() - started
        mine = next(m for m in again.metrics.people if m.person_id == "newcomer")
        given = mine.duties
        moves = again.metrics.changed
        whole = int(mine.fair_share)
        lines.append(
            f"| newcomer ({name}), {volunteers} x {weeks} | share {mine.fair_share:.2f} "
            f"| duties {given} (whole part {whole}) | moves {moves} "
            f"| {moves / max(given, 1):.1f} per duty "
            f"| {'ok' if given >= whole and moves <= 2 * max(given, 1) else 'MISSED'} "
            f"| {seconds:.3f} s |"
        )
    return lines


def time_off_probe(volunteers: int = 200, weeks: int = 26, probes: int = 10) -> list[str]:
    base = community(volunteers, weeks)
    first = plan(base)
    previous = with_reasons(first)
    slots = {s.id: s for s in base.slots}
    later = [a for a in first.assignments if slots[a.slot_id].start >= START.replace(month=2)]
    step = max(1, len(later) // probes)
    worst = 0
    over = 0
    for hit in later[::step][:probes]:
        slot = slots[hit.slot_id]
        people = tuple(
            replace(p, unavailable=(*p.unavailable, Interval(slot.start, slot.end)))
            if p.id == hit.person_id
            else p
            for p in base.people
        )
        again = plan(replace(base, people=people, previous=previous))
        conflicting = sum(
            1 for a in first.assignments if a.person_id == hit.person_id and a.slot_id == slot.id
        )
        extra = again.metrics.changed - conflicting
        worst = max(worst, extra)
        over += extra > 2
    return [
        f"| time off ({probes} probes), {volunteers} x {weeks} "
        f"| worst moves beyond the conflicting duty: {worst} | probes over 2: {over} "
        f"| {'ok' if worst <= 2 else 'MISSED'} |"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="three instances only")
    parser.add_argument("--exact-limit", type=float, default=None, help="CP-SAT seconds (0: skip)")
    parser.add_argument("--exact-up-to", type=int, default=200, help="largest size for CP-SAT")
    parser.add_argument("--sizes", default="", help="e.g. 50x26,200x52")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.sizes:
        sizes = [tuple(int(n) for n in item.split("x")) for item in args.sizes.split(",")]  # type: ignore[misc]
    limit = args.exact_limit if args.exact_limit is not None else (10.0 if args.quick else 120.0)
    print(HEADER)
    for volunteers, weeks in sizes:
        for line in bench(volunteers, weeks, limit, args.exact_up_to):
            print(line, flush=True)
    print("\n| probe | | | | | | |\n|---|---|---|---|---|---|---|")
    for volunteers, weeks in PROBE_SIZES:
        for line in newcomer_probe(volunteers, weeks) + time_off_probe(volunteers, weeks):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
