"""End to end in Chromium: the API's Swagger UI works from Rota's own files, and a token made
on the profile page is shown once and then only by its last characters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from accounts.models import ApiToken
from tests.conftest import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_lists_the_operations_without_leaving_the_site(
    browser: Any, live_server: Any
) -> None:
    page = browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/v1/rotas/{slug}/on-duty/", timeout=15000)
    assert page.locator(".title").first.inner_text().startswith("Rota API")
    assert hosts == {urlsplit(live_server.url).netloc}
    page.close()


def test_a_token_made_on_the_profile_page_is_shown_once(browser: Any, live_server: Any) -> None:
    make_user("vera")
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "vera")
    page.fill("input[name=password]", "correct horse 42")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/me/profile/")
    page.fill("#api-token-name", "triage bot")
    page.click("text=Create a token")
    page.wait_for_selector("#api-token")
    plain = page.locator("#api-token").inner_text()
    assert plain.startswith("rota_")
    page.click("text=Back to your profile")
    page.wait_for_selector("#api-tokens-heading")
    content = page.content()
    assert "triage bot" in content and plain not in content and plain[-4:] in content
    assert ApiToken.objects.get().name == "triage bot"
    page.close()
