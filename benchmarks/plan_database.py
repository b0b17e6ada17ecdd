"""Planning through the database: what a whole `rota_plan` costs next to the engine alone.

    .venv/bin/python -m benchmarks.plan_database [--sizes 200,1000] [--weeks 26]

For each community size it builds a throw-away SQLite database (or uses DATABASE_URL's server
when set: the tables are created in a fresh database named by --database) with volunteers in a
realistic mix of zones and organisations, a review rota of two seats a week, and some time off;
then it times:

- the first plan (read the problem, run the engine, write every assignment),
- the engine alone on the same problem (the baseline, in the same process),
- a re-plan with nothing changed (it must write nothing),
- a re-plan after one member adds a week of time off over one of their duties beyond the
  freeze window (it must change only a few assignments).

Times are also given as a ratio to the engine alone, since this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZONES = [
    ("Asia/Kolkata", "IN"),
    ("Asia/Shanghai", "CN"),
    ("Asia/Tokyo", "JP"),
    ("Australia/Sydney", "AU"),
    ("Europe/Berlin", "DE"),
    ("Europe/London", "GB"),
    ("America/New_York", "US"),
    ("America/Los_Angeles", "US"),
    ("America/Sao_Paulo", "BR"),
]
ORGANISATIONS = ["Intel", "Ant Group", "Red Hat", "IBM", "Microsoft", "NVIDIA", "independent"]


def _setup(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rota.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'plan.sqlite3'}")
    os.environ["ROTA_VAR_DIR"] = str(workdir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _community(size: int, weeks: int, now: datetime) -> int:
    from datetime import time as wall

    from accounts.models import TimeOff, User, WorkingHours
    from rota.rotas.models import Membership, Rota, RotaKind

    rota = Rota.objects.create(
        name=f"Review {size}",
        slug=f"review-{size}",
        kind=RotaKind.REVIEW,
        seats=2,
        horizon_weeks=weeks,
        min_coverage_hours=14,
    )
    users = User.objects.bulk_create(
        User(
            username=f"p{size}-{i}",
            email=f"p{i}@example.org",
            display_name=f"Person {i}",
            time_zone=ZONES[i % len(ZONES)][0],
            country=ZONES[i % len(ZONES)][1],
            organisation=ORGANISATIONS[i % len(ORGANISATIONS)],
            count_public_holidays=i % 2 == 0,
        )
        for i in range(size)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(user=u, weekday=d, start=wall(9), end=wall(17))
        for u in users
        for d in range(5)
    )
    TimeOff.objects.bulk_create(
        TimeOff(
            user=u,
            start=(now + timedelta(days=7 * (i % weeks))).date(),
            end=(now + timedelta(days=7 * (i % weeks) + 6)).date(),
        )
        for i, u in enumerate(users)
        if i % 3 == 0
    )
    Membership.objects.bulk_create(
        Membership(user=u, rota=rota, roles=["reviewer"], min_weeks_between=2) for u in users
    )
    Membership.objects.filter(rota=rota).update(joined_at=now - timedelta(days=365))
    return rota.pk


def _timed(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def run(size: int, weeks: int, now: datetime) -> list[tuple[str, float, str]]:
    from accounts.services import time_off_add
    from rota import engine
    from rota.rotas.models import Rota, Shift
    from rota.rotas.planning import problem_for_rota, rota_plan

    rota_id = _community(size, weeks, now)
    rota = Rota.objects.get(pk=rota_id)
    (problem, _, _), read = _timed(problem_for_rota, rota, now)
    _, alone = _timed(engine.plan, problem)
    first, first_s = _timed(rota_plan, rota_id, now=now)
    again, again_s = _timed(rota_plan, rota_id, now=now + timedelta(minutes=1))
    late = (
        Shift.objects.filter(rota_id=rota_id, starts_at__gt=now + timedelta(weeks=4))
        .order_by("starts_at")
        .first()
    )
    holder = late.assignments.active().first().person
    time_off_add(holder, late.starts_at.date(), (late.ends_at - timedelta(days=1)).date())
    moved, moved_s = _timed(rota_plan, rota_id, now=now + timedelta(minutes=2))
    return [
        ("read the problem from the database", read, f"{len(problem.people)} people"),
        ("engine alone (baseline)", alone, f"{len(problem.slots)} slots"),
        ("first plan, read + engine + write", first_s, f"{len(first.changes)} changes"),
        ("re-plan, nothing changed", again_s, f"{len(again.changes)} changes"),
        ("re-plan after one member's time off", moved_s, f"{len(moved.changes)} changes"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="200,1000", help="community sizes, comma-separated")
    parser.add_argument("--weeks", type=int, default=26, help="planning horizon in weeks")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rota-plan-bench-") as folder:
        _setup(Path(folder))
        from django.db import connection

        now = datetime(2026, 11, 25, 12, tzinfo=UTC)
        print(f"database: {connection.vendor}; horizon {options.weeks} weeks; 2 seats a week\n")
        for size in (int(s) for s in options.sizes.split(",")):
            rows = run(size, options.weeks, now)
            baseline = rows[1][1]
            print(f"**{size} volunteers**\n")
            print("| step                                  | seconds | x engine | result |")
            print("|---------------------------------------|---------|----------|--------|")
            for name, seconds, note in rows:
                print(f"| {name:<37} | {seconds:7.3f} | {seconds / baseline:8.2f} | {note} |")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
