"""Load benchmark: Rota's busiest pages under concurrent clients, against a trivial view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rota_notices \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python -m benchmarks.load [--clients 50] [--requests 2000] [--seconds 20]

It EMPTIES the database named by DATABASE_URL (PostgreSQL only) and the Redis database named by
REDIS_URL, migrates and seeds them (two years of duties of two people, a review and a release
rota, then `--links` more people with duties and a personal feed link each, and a repository
for the webhook), collects static files into a temporary folder and starts gunicorn on
127.0.0.1. This process then drives it with `--clients` threads, each opening a new loopback
connection per request, in rounds that visit every endpoint in turn (so a burst of noise from
elsewhere slows every row alike). Every row is bounded by `--requests` requests and
`--seconds` seconds.

Rows: a trivial view (plain "ok" behind the same middleware, the baseline), /healthz (which
asks the database and the broker), the cached personal feed polled through all the links in
turn (as many calendar apps poll, each its own link: more links than a web process keeps
documents in memory, so polls read the shared cache too), the public rota page, the home page
and the "on duty now" API read anonymously (what the first visitors and the bots read), and the
GitHub webhook (a signed `pull_request` delivery, each a new pull request, stored and queued;
benchmarks/webhook_latency.py follows deliveries through a worker to GitHub), and a trivial
write (one row inserted and committed), the baseline the webhook is also compared with. Targets:
no errors, and each row at least 70% of the trivial view's rate. The exit status is 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.feed_throughput import BENCH_WRITES, ROOT, _free_port, _seed, _wait_until_up

WEBHOOK_SECRET = "benchmark-webhook-secret"
PAYLOAD = ROOT / "tests" / "github" / "payloads" / "pull_request.opened.json"

# One request: method, path, body, headers.
Call = tuple[str, str, bytes, dict[str, str]]

TARGET_RATIO = 0.70
ROUNDS = 10
LOOPBACK = "127.0.0.1"


def gets(*paths: str) -> Callable[[int], Call]:
    """GETs of these paths in turn."""
    return lambda n: ("GET", paths[n % len(paths)], b"", {})


@dataclass
class Row:
    label: str
    calls: Callable[[int], Call]
    ok_status: int = 200
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    # (requests, seconds) of each round, to compare with the baseline's in the same round.
    rounds: list[tuple[int, float]] = field(default_factory=list)

    def ratio_to(self, baseline: Row) -> float:
        """The median over rounds of this row's rate over the baseline's in the same round:
        a burst of noise from elsewhere on the machine moves one round, not the figure."""
        ratios = sorted(
            (n / s) / (bn / bs)
            for (n, s), (bn, bs) in zip(self.rounds, baseline.rounds, strict=True)
            if s and bs and bn
        )
        if not ratios:
            return 0.0
        middle = len(ratios) // 2
        return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2

    @property
    def rate(self) -> float:
        return (len(self.latencies) + self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _one(port: int, call: Call, ok_status: int) -> bool:
    method, target, body, headers = call
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request(method, target, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status == ok_status
    except OSError:
        return False
    finally:
        conn.close()


_numbers = itertools.count()


def _burst(port: int, row: Row, clients: int, count: int, seconds: float) -> None:
    """`count` requests to one endpoint from `clients` threads, stopping after `seconds`."""
    lock = threading.Lock()
    left = [count]
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
                call = row.calls(next(_numbers))
            t0 = time.perf_counter()
            ok = _one(port, call, row.ok_status)
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    row.latencies.append(elapsed)
                else:
                    row.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    before = len(row.latencies) + row.errors
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    row.seconds += elapsed
    row.rounds.append((len(row.latencies) + row.errors - before, elapsed))


def _checked_environment(workdir: Path, port: int) -> dict[str, str]:
    database = os.environ.get("DATABASE_URL", "")
    redis = os.environ.get("REDIS_URL", "")
    if not database.startswith("postgres") or not redis.startswith("redis"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: this benchmark empties both.")
    for url in (database, redis):
        if urlsplit(url).hostname not in {LOOPBACK, "localhost"}:
            sys.exit(f"{url} is not on this machine: the benchmark runs on loopback only.")
    static = workdir / "static"
    static.mkdir()
    return {
        "DJANGO_SETTINGS_MODULE": "rota.settings",
        "SECRET_KEY": "benchmark-only-secret-key-not-for-production-0123456789",
        "DEBUG": "0",
        "SITE_URL": f"http://{LOOPBACK}:{port}",
        "ALLOWED_HOSTS": LOOPBACK,
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "ROTA_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(static),
        "LOG_LEVEL": "WARNING",
        # Every client here is one loopback address standing in for many people: the API's
        # per-address throttle (1,200 a minute) would answer 429 to most of the run.
        "ROTA_API_RATE_PER_USER": "1000000/min",
        "ROTA_API_RATE_PER_ADDRESS": "1000000/min",
        "DB_CONN_MAX_AGE": "60",
    }


def _seed_links(count: int, now: datetime) -> list[str]:
    """`count` people on the review rota, each with duties over the two years and a personal
    feed link; their links' paths."""
    from accounts.models import User
    from rota.feeds.models import FeedKind
    from rota.feeds.services import feed_token_create
    from rota.rotas.models import Assignment, Rota, Shift

    review = Rota.objects.get(slug="pr-review")
    people = User.objects.bulk_create(
        User(username=f"poller{n}", email=f"poller{n}@example.org", time_zone="Europe/Berlin")
        for n in range(count)
    )
    shifts = list(Shift.objects.filter(rota=review).order_by("starts_at"))
    Assignment.objects.bulk_create(
        Assignment(shift=shift, person=person, role="reviewer")
        for n, person in enumerate(people)
        for shift in shifts[n % 13 :: 13]  # one week in thirteen: eight duties a person
    )
    paths = []
    for person in people:
        _, plain = feed_token_create(person, FeedKind.PERSONAL, None, now)
        paths.append(f"/feeds/me/{plain}.ics")
    return paths


def _seed_repository() -> None:
    from rota.github.models import AuthKind, Repository
    from rota.rotas.models import Rota

    repository = Repository(
        full_name="Codertocat/Hello-World",
        review_rota=Rota.objects.get(slug="pr-review"),
        auth_kind=AuthKind.TOKEN,
    )
    repository.secrets_set(webhook_secret=WEBHOOK_SECRET, token="github_pat_benchmark")
    repository.save()


def webhook_calls() -> Callable[[int], Call]:
    """Signed `pull_request` opened deliveries, each of a new pull request."""
    from rota.github.signatures import signature_for

    template: dict[str, Any] = json.loads(PAYLOAD.read_text())
    run = f"{time.time_ns():x}"

    def call(n: int) -> Call:
        template["number"] = template["pull_request"]["number"] = 100_000 + n
        body = json.dumps(template).encode()
        headers = {
            "Content-Type": "application/json",
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": f"bench-{run}-{n}",
            "X-Hub-Signature-256": signature_for(WEBHOOK_SECRET, body),
        }
        return "POST", "/github/webhook/", body, headers

    return call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="per row, at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="per row, at most")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--links", type=int, default=300, help="personal feed links polled")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rota-load-bench-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        env = _checked_environment(workdir, port)
        os.environ.update(env)
        import django

        django.setup()
        from django.core.cache import cache
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()
        call_command("collectstatic", interactive=False, verbosity=0)
        now = datetime.now(UTC)
        _person, _personal, _public_feed = _seed(now)
        links = _seed_links(args.links, now - timedelta(weeks=52))
        _seed_repository()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {BENCH_WRITES}"
                " (id bigserial PRIMARY KEY, at timestamptz)"
            )

        log = workdir / "gunicorn.log"
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
            "--bind", f"{LOOPBACK}:{port}", "--workers", str(args.workers),
            "--backlog", "2048", "--log-level", "warning", "--error-logfile", str(log),
            "benchmarks.feed_throughput:wsgi_app()",
        ]  # fmt: skip
        rows = [
            Row("trivial view (baseline)", gets("/bench/trivial")),
            Row("/healthz (database, broker)", gets("/healthz")),
            Row(f"personal feed, {len(links)} links", gets(*links)),
            Row("public rota page", gets("/rotas/pr-review/")),
            Row("home page", gets("/")),
            Row("on duty now (API)", gets("/api/v1/rotas/pr-review/on-duty/")),
        ]
        beside_writes = Row("trivial view (write phase)", gets("/bench/trivial"))
        write = Row("trivial write (insert, commit)", gets("/bench/trivial-write"))
        webhook = Row("GitHub webhook", webhook_calls(), ok_status=202)
        with log.open("w") as log_file:
            server = subprocess.Popen(
                command, env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            _wait_until_up(port, server, log)
            for row in [*rows, write, webhook]:  # warm every worker's connections and caches
                warm = Row(row.label, row.calls, row.ok_status)
                _burst(port, warm, args.clients, max(160, 2 * len(links)), args.seconds)
                if warm.errors:
                    sys.exit(f"{row.label} fails before the run: see {log.read_text()[-2000:]}")
            # Reads first, then writes, each phase in rounds with the trivial view: the WAL and
            # vacuum work the writes leave behind would otherwise slow the reads after them.
            for phase in (rows, [beside_writes, write, webhook]):
                for _ in range(ROUNDS):
                    for row in phase:
                        _burst(
                            port, row, args.clients, args.requests // ROUNDS, args.seconds / ROUNDS
                        )
        finally:
            server.terminate()
            server.wait(timeout=10)

    baseline = rows[0]
    print(
        f"\n{args.clients} clients, at most {args.requests} requests or {args.seconds:.0f} s per "
        f"row in {ROUNDS} interleaved rounds, gunicorn sync x{args.workers}, PostgreSQL, Redis "
        f"cache, {os.cpu_count()} cores, Python {sys.version.split()[0]}; 'vs trivial' is the "
        f"median over rounds of the row's rate over the trivial view's in the same round\n"
    )
    print(
        f"| {'endpoint':<30} | {'requests':>8} | {'req/s':>6} | {'p50 ms':>7} | {'p95 ms':>7} "
        f"| {'p99 ms':>7} | {'errors':>6} | {'vs trivial':>10} |"
    )
    print(f"|{'-' * 32}|{'-' * 10}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 12}|")
    for row, base in [
        *((r, baseline) for r in rows),
        *((r, beside_writes) for r in (beside_writes, write, webhook)),
    ]:
        print(
            f"| {row.label:<30} | {len(row.latencies) + row.errors:>8} | {row.rate:>6.0f} "
            f"| {row.percentile(50):>7.1f} | {row.percentile(95):>7.1f} "
            f"| {row.percentile(99):>7.1f} | {row.errors:>6} | {row.ratio_to(base):>9.0%} |"
        )
    print(
        f"\nthe webhook (a durable write: verify, store, queue) runs at "
        f"{webhook.ratio_to(write):.0%} of the trivial write's rate"
    )
    errors = sum(row.errors for row in [*rows, beside_writes, write, webhook])
    worst, ratio = min(
        [(row, row.ratio_to(baseline)) for row in rows[1:]]
        + [(webhook, webhook.ratio_to(beside_writes))],
        key=lambda found: found[1],
    )
    ratio_ok = ratio >= TARGET_RATIO
    print(
        f"\nerrors: {errors} (target 0); slowest row {worst.label} at "
        f"{ratio:.0%} of trivial (target >= {TARGET_RATIO:.0%}): "
        f"{'ok' if ratio_ok and not errors else 'MISSED'}"
    )
    return 0 if ratio_ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
