"""Start-up configuration, checked in fresh interpreters as a deployment would start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Only what a deployment would set: nothing from the test process itself.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD_KEY = "k" * 20 + "-production-like-secret-with-enough-entropy-9f8e7d"


def test_a_missing_secret_key_in_production_stops_start_up_with_one_clear_line():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr
    assert "ImproperlyConfigured" in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL"),
        ("REDIS_URL", "http://localhost", "REDIS_URL must start with"),
        ("SITE_URL", "localhost:8000", "SITE_URL must start with"),
        ("ROTA_DEFAULT_HORIZON_WEEKS", "many", "must be a whole number"),
    ],
)
def test_bad_environment_values_name_the_variable(name, value, message):
    result = run_manage("check", SECRET_KEY=GOOD_KEY, **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_is_clean_with_production_like_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        SITE_URL="https://rota.example.org",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("change-me", "placeholder"),
        ("change-me-to-a-long-random-string", "placeholder"),
        ("django-insecure-" + "a1b2c3d4e5" * 5, "placeholder"),
        ("short-but-random-9f8e7d6c", "too short or too plain"),
        ("x" * 64, "too short or too plain"),
    ],
)
def test_production_start_up_refuses_a_placeholder_or_weak_secret_key_in_one_line(key, message):
    result = run_manage("check", SECRET_KEY=key)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured: SECRET_KEY" in last and message in last
    assert key not in result.stderr  # the key itself is never echoed


def test_the_example_environment_file_cannot_start_production_as_it_is():
    example = (ROOT / ".env.example").read_text()
    key = next(line for line in example.splitlines() if line.startswith("SECRET_KEY="))
    result = run_manage("check", SECRET_KEY=key.split("=", 1)[1])
    assert result.returncode != 0 and "placeholder" in result.stderr
