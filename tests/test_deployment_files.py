"""docker-compose.yml and .env.example: they parse, and every command names real things."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_runs_postgres_redis_web_worker_and_beat_with_health_checks():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name


def _app_commands():
    for name, service in SERVICES.items():
        if "command" in service and name not in {"postgres", "redis"}:
            yield name, service["command"]


@pytest.mark.parametrize(("name", "command"), list(_app_commands()))
def test_each_service_command_names_modules_and_commands_that_exist(name, command):
    program = command[0]
    if program == "gunicorn":
        module, attribute = command[1].split(":")
        assert hasattr(importlib.import_module(module), attribute)
    elif program == "celery":
        assert command[1] == "-A"
        module = importlib.import_module(command[2])
        assert hasattr(module, "app")
        assert command[3] in {"worker", "beat"}
    elif program == "python":
        assert command[1] == "manage.py"
        assert command[2] in get_commands()
    else:
        pytest.fail(f"{name}: unexpected program {program}")


def test_the_env_example_sets_every_variable_settings_require_in_production():
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    settings_source = (ROOT / "rota" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings_source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL", "ALLOWED_HOSTS"} <= set(example)
    assert set(example) - {"POSTGRES_PASSWORD"} <= read
    assert example["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:" in example["DATABASE_URL"]
    assert example["REDIS_URL"].startswith("redis://redis:")


def test_the_dockerfile_installs_the_postgres_driver_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "'.[postgres]'" in dockerfile
    assert "collectstatic" in dockerfile


def test_the_docker_build_context_leaves_out_secrets_and_local_data():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", "var/", ".venv/", ".git/"):
        assert entry in ignored
