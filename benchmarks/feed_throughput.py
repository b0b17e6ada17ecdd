"""Feed throughput: how cheap is polling a calendar feed, and how fast is a fresh render?

    .venv/bin/python -m benchmarks.feed_throughput [--requests 2000] [--workers 1] [--quick]

One run builds a throw-away SQLite database under a temporary directory (the cache is Redis
when REDIS_URL is set, otherwise the file cache under that directory, as in production without
Redis), fills it with two years of duties for one person, starts gunicorn on 127.0.0.1 and
sends a bounded number of real HTTP requests, one after the other, to:

- a trivial view (plain "ok", defined in this module's own URLconf, behind the same middleware
  stack), the baseline: what any Django request costs on this machine;
- the personal feed, cached (200), and answered 304 (If-None-Match), and HEAD;
- the public rota feed, cached (200).

It then times rendering the personal feed from scratch (queries + writing with icalendar, no
cache), the work a worker does for each feed after a plan (rota/feeds/tasks.py) and a poll does
only when the cache has lost the document.
Targets: a cached feed at least 70% of the trivial view's rate; a fresh render under 100 ms (it
was 20 ms while polls could render; icalendar alone takes about 40 ms for this feed, a price
paid once per change in a worker). The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.70
TARGET_RENDER_MS = 100.0


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


BENCH_WRITES = "bench_write"


def trivial_write(request: HttpRequest) -> HttpResponse:
    """One row inserted and committed: what any request that must not lose its data costs
    (benchmarks/load.py creates the table)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BENCH_WRITES} (at) VALUES (now())")
    return HttpResponse(b"ok", content_type="text/plain")


def __getattr__(name: str) -> object:
    """This module is the benchmark server's URLconf: the real feed URLs plus the baseline.

    Built on first use (PEP 562), because include() imports the feed views, which need Django
    set up, and this module is imported before that.
    """
    if name == "urlpatterns":
        # The whole site's URLs: feeds link to the duty and rota pages by their names.
        return [
            path("bench/trivial", trivial),
            path("bench/trivial-write", trivial_write),
            path("", include("rota.urls")),
        ]
    raise AttributeError(name)


def wsgi_app():  # type: ignore[no-untyped-def]
    """gunicorn's entry point: Rota's settings with this module as the URLconf."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rota.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _environment(workdir: Path, port: int) -> dict[str, str]:
    static = workdir / "static"
    static.mkdir(exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "rota.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
        "DEBUG": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "ROTA_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(static),
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as a production deployment runs; without them every request
        # that touches the database also pays for opening a connection.
        "DB_CONN_MAX_AGE": "60",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(now: datetime) -> tuple[object, str, str]:
    """One person with a weekly review duty and a four-weekly release duty for two years."""
    from accounts.models import User
    from rota.feeds.models import FeedKind
    from rota.feeds.services import feed_preference_set, feed_token_create
    from rota.rotas.models import Assignment, Release, Rota, RotaKind, Shift

    person = User.objects.create_user(
        "wang", display_name="王小明", time_zone="Asia/Shanghai", email="wang@example.org"
    )
    partner = User.objects.create_user(
        "vijay", display_name="विजय कुमार", time_zone="Asia/Kolkata", email="vijay@example.org"
    )
    feed_preference_set(person, 60)
    review = Rota.objects.create(name="PR review", slug="pr-review", kind=RotaKind.REVIEW)
    releases = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    start = now - timedelta(weeks=52)
    shifts, rows = [], []
    for week in range(104):
        begins = start + timedelta(weeks=week)
        shifts.append(
            Shift(rota=review, key=f"r{week}", starts_at=begins, ends_at=begins + timedelta(7))
        )
    for n in range(26):
        begins = start + timedelta(weeks=4 * n)
        release = Release.objects.create(
            rota=releases, version=f"5.{n}", date=(begins + timedelta(7)).date()
        )
        shifts.append(
            Shift(
                rota=releases,
                key=f"v{n}",
                starts_at=begins,
                ends_at=begins + timedelta(7),
                release=release,
            )
        )
    Shift.objects.bulk_create(shifts)
    for shift in Shift.objects.all():
        lead = shift.rota_id == releases.pk
        rows.append(Assignment(shift=shift, person=person, role="lead" if lead else "reviewer"))
        rows.append(Assignment(shift=shift, person=partner, role="shadow" if lead else "reviewer"))
    Assignment.objects.bulk_create(rows)
    _, plain = feed_token_create(person, FeedKind.PERSONAL, None, now)
    return person, f"/feeds/me/{plain}.ics", "/feeds/rota/pr-review.ics"


def _request(
    port: int, method: str, target: str, headers: dict[str, str]
) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, target, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def _wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited early:\n{log.read_text()}")
        try:
            if _request(port, "GET", "/bench/trivial", {})[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"gunicorn did not answer within 30 s:\n{log.read_text()}")


def _measure(
    port: int, method: str, target: str, headers: dict[str, str], expected: int, count: int
) -> list[float]:
    """Latencies (seconds) of `count` sequential requests."""
    latencies = []
    for _ in range(count):
        t0 = time.perf_counter()
        status, _ = _request(port, method, target, headers)
        latencies.append(time.perf_counter() - t0)
        if status != expected:
            sys.exit(f"{method} {target} answered {status}, expected {expected}")
    return latencies


ROUNDS = 20


def _measure_interleaved(
    port: int, cases: list[tuple[str, str, str, dict[str, str], int]], count: int
) -> list[tuple[str, float, float]]:
    """(label, requests per second, median ms) per case.

    The cases take turns in ROUNDS rounds, so a burst of load from anything else on the
    machine slows every row alike instead of one of them.
    """
    latencies: dict[str, list[float]] = {case[0]: [] for case in cases}
    per_round = max(1, count // ROUNDS)
    for _ in range(ROUNDS):
        for label, method, target, headers, expected in cases:
            latencies[label] += _measure(port, method, target, headers, expected, per_round)
    return [
        (label, len(times) / sum(times), 1000 * statistics.median(times))
        for label, times in latencies.items()
    ]


def _render_times(person: object, now: datetime, runs: int) -> list[float]:
    from rota.feeds.selectors import feed_reminder_minutes, personal_feed_render

    person.refresh_from_db()  # type: ignore[attr-defined]
    times = []
    body = b""
    for _ in range(runs):
        t0 = time.perf_counter()
        body = personal_feed_render(person, feed_reminder_minutes(person), now).body  # type: ignore[arg-type]
        times.append(1000 * (time.perf_counter() - t0))
    events = body.count(b"BEGIN:VEVENT")
    print(f"fresh render: {events} events, {len(body) / 1024:.0f} KiB")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn sync workers")
    parser.add_argument("--render-runs", type=int, default=30)
    parser.add_argument(
        "--quick", action="store_true", help="300 requests per endpoint and 10 renders"
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.render_runs = 300, 10

    with tempfile.TemporaryDirectory(prefix="rota-feed-bench-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        env = _environment(workdir, port)
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        now = datetime.now(UTC)
        person, personal, public = _seed(now)
        cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]

        log = workdir / "gunicorn.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(ROOT),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--error-logfile",
            str(log),
            "benchmarks.feed_throughput:wsgi_app()",
        ]
        with log.open("w") as log_file:
            server = subprocess.Popen(
                command, env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            _wait_until_up(port, server, log)
            status, headers = _request(port, "GET", personal, {})  # renders and fills the cache
            if status != 200:
                sys.exit(f"personal feed answered {status}")
            etag = headers["etag"]
            _request(port, "GET", public, {})
            for target in ("/bench/trivial", personal, public):
                _measure(port, "GET", target, {}, 200, min(200, args.requests))
            cases = [
                ("trivial view (baseline)", "GET", "/bench/trivial", {}, 200),
                ("personal feed, cached, 200", "GET", personal, {}, 200),
                (
                    "personal feed, 304 (If-None-Match)",
                    "GET",
                    personal,
                    {"If-None-Match": etag},
                    304,
                ),
                ("personal feed, HEAD", "HEAD", personal, {}, 200),
                ("public rota feed, cached, 200", "GET", public, {}, 200),
            ]
            results = _measure_interleaved(port, cases, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=10)

        renders = _render_times(person, now, args.render_runs)

    baseline = results[0][1]
    print(
        f"\n{args.requests} sequential requests per row in {ROUNDS} interleaved rounds, "
        f"gunicorn sync x{args.workers}, "
        f"cache {cache_backend}, SQLite, Python {sys.version.split()[0]}\n"
    )
    print(f"| {'endpoint':<36} | {'req/s':>7} | {'median ms':>9} | {'vs trivial':>10} |")
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 11}|{'-' * 12}|")
    for label, rate, median in results:
        print(f"| {label:<36} | {rate:>7.0f} | {median:>9.2f} | {rate / baseline:>9.0%} |")
    render_median = statistics.median(renders)
    print(
        f"\nfresh render of the personal feed: median {render_median:.1f} ms, "
        f"min {min(renders):.1f} ms over {len(renders)} runs (target < {TARGET_RENDER_MS:.0f} ms)"
    )
    worst_cached = min(rate for label, rate, _ in results[1:] if "personal" in label)
    ok_ratio = worst_cached / baseline >= TARGET_RATIO
    ok_render = render_median < TARGET_RENDER_MS
    print(
        f"cached personal feed at {worst_cached / baseline:.0%} of trivial "
        f"(target >= {TARGET_RATIO:.0%}): {'ok' if ok_ratio else 'MISSED'}; "
        f"fresh render: {'ok' if ok_render else 'MISSED'}"
    )
    return 0 if ok_ratio and ok_render else 1


if __name__ == "__main__":
    sys.exit(main())
