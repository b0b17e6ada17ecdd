"""API throughput: "who is on duty now?" at 50 concurrent clients against trivial views.

    .venv/bin/python -m benchmarks.api_on_duty [--requests 3000] [--clients 50] [--quick]

One run builds a throw-away SQLite database under a temporary directory (the cache is Redis
when REDIS_URL is set, otherwise the file cache under that directory), seeds a public review
rota of 200 members with a year of planned shifts, starts gunicorn (gthread) on 127.0.0.1 and
sends a bounded number of real HTTP/1.1 requests (keep-alive) from `--clients` concurrent
clients, in interleaved rounds so load from anything else on the machine hits every row alike:

- a trivial Django view (plain "ok", same middleware): what any request costs here;
- a trivial API view (same authentication by personal token, same throttles, answers {}):
  what any API request costs; the baseline of the target;
- GET /api/v1/rotas/pr-review/on-duty/ with a member's token (names, zones, local times,
  working hours) and anonymously (display names only).

Reported per row: requests per second, p50/p95/p99 latency, errors (anything but 200).
Target: on-duty at least 70% of the trivial API view's rate, and no errors. The run stops
after `--requests` per row or `--seconds` in all, whichever comes first. Exit status 1 when
the target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from benchmarks.feed_throughput import _environment, _free_port

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.70
ROUNDS = 10
ON_DUTY = "/api/v1/rotas/pr-review/on-duty/"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def _trivial_api() -> Any:
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from rota.api.permissions import ReadsForEveryone

    class TrivialApi(APIView):
        permission_classes = [ReadsForEveryone]

        def get(self, request: Any) -> Response:
            return Response({})

    return TrivialApi.as_view()


def __getattr__(name: str) -> object:
    """This module is the benchmark server's URLconf (built on first use, see feed_throughput)."""
    if name == "urlpatterns":
        return [
            path("bench/trivial", trivial),
            path("bench/trivial-api/", _trivial_api()),
            path("", include("rota.urls")),
        ]
    raise AttributeError(name)


def wsgi_app():  # type: ignore[no-untyped-def]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rota.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = __name__
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _seed(now: datetime, people: int) -> str:
    """A public review rota of `people` members, a year of weekly shifts with two reviewers
    each; returns a member's API token."""
    from accounts.models import User, WorkingHours
    from accounts.services import api_token_create
    from rota.rotas.models import Assignment, Membership, Rota, RotaKind, Shift

    zones = ["Europe/Berlin", "Asia/Kolkata", "America/New_York", "Asia/Tokyo", "UTC"]
    users = User.objects.bulk_create(
        User(
            username=f"p{n}",
            email=f"p{n}@example.org",
            display_name=f"Person {n}",
            time_zone=zones[n % len(zones)],
        )
        for n in range(people)
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(user=u, weekday=d, start=clock_time(9), end=clock_time(17))
        for u in users
        for d in range(5)
    )
    rota = Rota.objects.create(name="PR review", slug="pr-review", kind=RotaKind.REVIEW)
    Membership.objects.bulk_create(Membership(user=u, rota=rota, roles=["reviewer"]) for u in users)
    start = now - timedelta(weeks=26)
    shifts = Shift.objects.bulk_create(
        Shift(
            rota=rota,
            key=f"w{week}",
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week + 1),
            covered_hours=list(range(6, 20)),
        )
        for week in range(52)
    )
    Assignment.objects.bulk_create(
        Assignment(shift=s, person=users[(2 * i + seat) % people], role="reviewer")
        for i, s in enumerate(shifts)
        for seat in range(2)
    )
    return api_token_create(users[0], "benchmark")[1]


async def _client(
    port: int,
    target: str,
    headers: str,
    quota: list[int],
    latencies: list[float],
    errors: list[str],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: keep-alive\r\n\r\n"
    ).encode()
    try:
        while quota[0] > 0:
            quota[0] -= 1
            t0 = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            status = status_line.split(b" ")[1:2]
            if status != [b"200"]:
                errors.append(status_line.decode("latin-1").strip())
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _round(
    port: int, target: str, headers: str, count: int, clients: int
) -> tuple[float, list[float], list[str]]:
    quota, latencies, errors = [count], [], []  # type: ignore[var-annotated]
    t0 = time.perf_counter()
    await asyncio.gather(
        *(_client(port, target, headers, quota, latencies, errors) for _ in range(clients))
    )
    return time.perf_counter() - t0, latencies, errors


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per row")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=240, help="stop measuring after this")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--people", type=int, default=200, help="members of the rota")
    parser.add_argument("--quick", action="store_true", help="500 requests per row")
    args = parser.parse_args()
    if args.quick:
        args.requests = 500

    with tempfile.TemporaryDirectory(prefix="rota-api-bench-") as tmp:
        workdir = Path(tmp)
        port = _free_port()
        env = _environment(workdir, port)
        env["SECRET_KEY"] = "benchmark-only-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"
        # One client hammering from one address: the throttles must count, not refuse.
        env["ROTA_API_RATE_PER_USER"] = "1000000/min"
        env["ROTA_API_RATE_PER_ADDRESS"] = "1000000/min"
        os.environ.update(env)
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        token = _seed(datetime.now(UTC), args.people)
        cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        bearer = f"Authorization: Bearer {token}\r\n"
        cases = [
            ("trivial Django view", "/bench/trivial", ""),
            ("trivial API view, token (baseline)", "/bench/trivial-api/", bearer),
            ("on duty now, member's token", ON_DUTY, bearer),
            ("on duty now, anonymous", ON_DUTY, ""),
        ]

        log = workdir / "gunicorn.log"
        command = [
            sys.executable, "-m", "gunicorn", "--chdir", str(ROOT),
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--worker-class", "gthread", "--threads", str(args.threads),
            "--keep-alive", "30", "--backlog", "512",
            "--log-level", "warning", "--error-logfile", str(log),
            "benchmarks.api_on_duty:wsgi_app()",
        ]  # fmt: skip
        with log.open("w") as log_file:
            server = subprocess.Popen(
                command, env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT
            )
        results: dict[str, tuple[float, list[float], list[str]]] = {
            label: (0.0, [], []) for label, _, _ in cases
        }
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    asyncio.run(_round(port, "/bench/trivial", "", 1, 1))
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit(f"gunicorn did not start:\n{log.read_text()}")
                    time.sleep(0.2)
            for _label, target, headers in cases:  # warm up every worker and connection
                asyncio.run(_round(port, target, headers, 4 * args.clients, args.clients))
            per_round = max(args.clients, args.requests // ROUNDS)
            stop = time.monotonic() + args.seconds
            for _ in range(ROUNDS):
                if time.monotonic() > stop:
                    break
                for label, target, headers in cases:
                    spent, latencies, errors = asyncio.run(
                        _round(port, target, headers, per_round, args.clients)
                    )
                    total, seen, failed = results[label]
                    results[label] = (total + spent, seen + latencies, failed + errors)
        finally:
            server.terminate()
            server.wait(timeout=10)
        gunicorn_log = log.read_text()

    print(
        f"\n{args.clients} concurrent keep-alive clients, up to {args.requests} requests per row "
        f"in {ROUNDS} interleaved rounds; gunicorn gthread {args.workers}x{args.threads}, cache "
        f"{cache_backend}, SQLite, {args.people} members, Python {sys.version.split()[0]}\n"
    )
    print(
        f"| {'endpoint':<36} | {'req/s':>7} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} "
        f"| {'errors':>6} | {'vs baseline':>11} |"
    )
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 13}|")
    rates = {}
    for label, (spent, latencies, _errors) in results.items():
        rates[label] = len(latencies) / spent if spent else 0.0
    baseline = rates["trivial API view, token (baseline)"]
    for label, (_spent, latencies, errors) in results.items():
        p50, p95, p99 = (1000 * _percentile(latencies, q) for q in (0.50, 0.95, 0.99))
        print(
            f"| {label:<36} | {rates[label]:>7.0f} | {p50:>7.1f} | {p95:>7.1f} | {p99:>7.1f} "
            f"| {len(errors):>6} | {rates[label] / baseline:>10.0%} |"
        )
    errors = sum(len(e) for _, _, e in results.values())
    worst = min(rates[label] for label in rates if label.startswith("on duty"))
    ok = worst / baseline >= TARGET_RATIO and errors == 0
    print(
        f"\non duty now at {worst / baseline:.0%} of the trivial API view "
        f"(target >= {TARGET_RATIO:.0%}), {errors} errors: {'ok' if ok else 'MISSED'}"
    )
    if errors:
        print(gunicorn_log[-2000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
