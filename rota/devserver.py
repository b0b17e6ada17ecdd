"""`make run`: migrate, seed the demo into an empty database, then serve Rota with a Celery
worker and beat, all on the embedded defaults, until Ctrl-C stops every process cleanly."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    options = parser.parse_args(argv)
    os.environ.setdefault("DEBUG", "1")
    # Links in feeds and e-mails point at the address this server really answers on.
    os.environ.setdefault("SITE_URL", f"http://{options.host}:{options.port}")
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)

    _manage("migrate", "--no-input", "-v", "0")
    _manage("seed_demo", "--if-empty")

    celery = [sys.executable, "-m", "celery", "-A", "rota.celery"]
    commands = {
        "web": [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"{options.host}:{options.port}",
            "--noreload",
        ],
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }
    if os.environ.get("ROTA_GITHUB_STANDIN") == "1":
        # Try the GitHub integration without GitHub: the tests' stand-in answers Rota's calls.
        port = int(os.environ.get("ROTA_GITHUB_STANDIN_PORT", "8765"))
        os.environ["GITHUB_API_URL"] = f"http://127.0.0.1:{port}"
        commands = {
            "github-standin": [sys.executable, "-m", "tests.github.standin", "--port", str(port)],
            **commands,
        }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in commands.items():
        # Each child gets its own process group, so Ctrl-C reaches only us and we stop them
        # in order instead of all of them racing to exit.
        processes[name] = subprocess.Popen(command, cwd=ROOT, start_new_session=True)

    print(f"\nRota is running at {os.environ['SITE_URL']}/ (worker and beat too).")
    print("Press Ctrl-C to stop.\n", flush=True)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping the others.")
                    exit_code = process.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, process in processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop in time; killing it.")
                process.kill()
                process.wait()
        print("Rota stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
