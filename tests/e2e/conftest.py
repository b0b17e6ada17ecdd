"""A real Chromium (the system's, never a downloaded one) against pytest-django's live_server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (fixtures, assertions) would otherwise be refused as "async unsafe".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        # A new contributor's machine may have only Python; CI installs Chromium (.ci/run).
        if os.environ.get("CI"):
            pytest.fail("CI is set but /usr/bin/chromium is missing: browser tests cannot run")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs these tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the e-mail tasks the pages enqueue in-process instead of through a broker; the
    pages re-plan in the request themselves, so queued plan tasks are dropped."""
    from rota.celery import app
    from rota.rotas import outbox

    def send(task: str, args: list[object], countdown: float = 0) -> None:
        if task.startswith("rota.notifications."):
            app.tasks[task].apply(args=args, throw=True)

    monkeypatch.setattr(outbox, "broker_send", send)
