"""Load benchmark: Rota's busiest pages under concurrent clients, against a trivial view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rota_notices \\
    REDIS_URL=redis://127.0.0.1:6379/12 \\
    .venv/bin/python -m benchmarks.load [--clients 50] [--requests 2000] [--seconds 20]

It EMPTIES the database named by DATABASE_URL (PostgreSQL only) and the Redis database named by
REDIS_URL, migrates and seeds them (two years of duties of two people, a review and a release
rota), collects static files into a temporary folder and starts gunicorn on 127.0.0.1. This
process then drives it with `--clients` threads, each opening a new loopback connection per
request, in rounds that visit every endpoint in turn (so a burst of noise from elsewhere slows
every row alike). Every row is bounded by `--requests` requests and `--seconds` seconds.

Rows: a trivial view (plain "ok" behind the same middleware, the baseline), /healthz (which
asks the database and the broker, the baseline of issue 18's figures), the cached personal
feed, the public rota page, the home page and the "on duty now" API read anonymously (the
GitHub webhook has its own benchmark, benchmarks/webhook_latency.py). Targets: no errors, and
each row at least 70% of the trivial view's rate. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.feed_throughput import ROOT, _free_port, _seed, _wait_until_up

TARGET_RATIO = 0.70
ROUNDS = 5
LOOPBACK = "127.0.0.1"


@dataclass
class Row:
    label: str
    target: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return (len(self.latencies) + self.errors) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _one(port: int, target: str) -> bool:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        conn.close()


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
            t0 = time.perf_counter()
            ok = _one(port, row.target)
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    row.latencies.append(elapsed)
                else:
                    row.errors += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row.seconds += time.perf_counter() - t0


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="per row, at most")
    parser.add_argument("--seconds", type=float, default=20.0, help="per row, at most")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
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
        _person, personal, _public_feed = _seed(datetime.now(UTC))

        log = workdir / "gunicorn.log"
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
            "--bind", f"{LOOPBACK}:{port}", "--workers", str(args.workers),
            "--backlog", "2048", "--log-level", "warning", "--error-logfile", str(log),
            "benchmarks.feed_throughput:wsgi_app()",
        ]  # fmt: skip
        rows = [
            Row("trivial view (baseline)", "/bench/trivial"),
            Row("/healthz (database, cache)", "/healthz"),
            Row("personal feed, cached", personal),
            Row("public rota page", "/rotas/pr-review/"),
            Row("home page", "/"),
            Row("on duty now (API, anonymous)", "/api/v1/rotas/pr-review/on-duty/"),
        ]
        with log.open("w") as log_file:
            server = subprocess.Popen(
                command, env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            _wait_until_up(port, server, log)
            for row in rows:  # warm every worker's connections and the caches
                warm = Row(row.label, row.target)
                _burst(port, warm, args.clients, 4 * args.workers * 10, args.seconds)
                if warm.errors:
                    sys.exit(f"{row.target} fails before the run: see {log.read_text()[-2000:]}")
            for _ in range(ROUNDS):
                for row in rows:
                    _burst(port, row, args.clients, args.requests // ROUNDS, args.seconds / ROUNDS)
        finally:
            server.terminate()
            server.wait(timeout=10)

    baseline = rows[0].rate
    print(
        f"\n{args.clients} clients, at most {args.requests} requests or {args.seconds:.0f} s per "
        f"row in {ROUNDS} interleaved rounds, gunicorn sync x{args.workers}, PostgreSQL, Redis "
        f"cache, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n"
    )
    print(
        f"| {'endpoint':<26} | {'requests':>8} | {'req/s':>6} | {'p50 ms':>7} | {'p95 ms':>7} "
        f"| {'p99 ms':>7} | {'errors':>6} | {'vs trivial':>10} |"
    )
    print(f"|{'-' * 28}|{'-' * 10}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 12}|")
    for row in rows:
        print(
            f"| {row.label:<26} | {len(row.latencies) + row.errors:>8} | {row.rate:>6.0f} "
            f"| {row.percentile(50):>7.1f} | {row.percentile(95):>7.1f} "
            f"| {row.percentile(99):>7.1f} | {row.errors:>6} | {row.rate / baseline:>9.0%} |"
        )
    errors = sum(row.errors for row in rows)
    worst = min(rows[1:], key=lambda row: row.rate)
    ratio_ok = worst.rate / baseline >= TARGET_RATIO
    print(
        f"\nerrors: {errors} (target 0); slowest row {worst.label} at "
        f"{worst.rate / baseline:.0%} of trivial (target >= {TARGET_RATIO:.0%}): "
        f"{'ok' if ratio_ok and not errors else 'MISSED'}"
    )
    return 0 if ratio_ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
