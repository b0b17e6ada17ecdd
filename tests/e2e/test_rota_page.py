"""A public rota page in the visitor's own zone, switchable and remembered, with a horizon
the visitor can extend; the home page says who is on duty now."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from rota.rotas.models import Rota, RotaKind
from tests.conftest import make_user
from tests.e2e.test_contributor_pages import SCREENSHOTS
from tests.rotas.duties import make_duty, make_shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def visitor(browser, width: int, zone: str = "Asia/Tokyo"):
    context = browser.new_context(
        timezone_id=zone, viewport={"width": width, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(5000)
    return context, context.new_page()


def first_shift_title(page) -> str:
    return page.locator(".cards .shift-title").first.inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_a_visitor_reads_the_rota_in_their_zone_switches_it_by_keyboard_and_shows_more_weeks(
    browser, live_server, width: int
) -> None:
    base = live_server.url
    os.makedirs(SCREENSHOTS, exist_ok=True)
    rota = Rota.objects.create(
        name="Release",
        slug="release",
        kind=RotaKind.RELEASE,
        handoff_zone="UTC",
        horizon_weeks=52,
    )
    lead = make_user("lena", time_zone="Europe/Berlin")
    now = timezone.now()
    # A hand-off two days ahead at 08:00 UTC: the week before it is running now.
    handoff = (now + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    make_duty(make_shift(rota, handoff - timedelta(weeks=1)), lead, role="lead")  # on duty now
    for week in range(1, 13 * 4, 4):  # 13 releases, one every 4 weeks
        make_duty(make_shift(rota, handoff + timedelta(weeks=week)), lead, role="lead")
    first = handoff + timedelta(weeks=1)

    context, page = visitor(browser, width)
    page.goto(f"{base}/")  # guessed UTC, then reloaded once in Tokyo's time
    page.get_by_text("Times in Asia/Tokyo (your browser's zone).").wait_for()
    card = page.locator('[data-rota="release"]')
    assert "On duty now: Lena (lead)" in card.inner_text()
    assert "until " in card.inner_text() and ", 17:00" in card.inner_text()

    page.goto(f"{base}/rotas/release/")  # the browser's zone is known now
    assert page.locator(".zone-now").get_attribute("data-zone") == "Asia/Tokyo"
    tokyo = first.astimezone(timezone.get_fixed_timezone(9 * 60))
    assert first_shift_title(page).startswith(f"{tokyo:%a} {tokyo.day} {tokyo:%b}, 17:00")
    assert "Asia/Tokyo (your browser's zone)" in page.locator(".zone-now").inner_text()
    options = page.locator("#id_tz option").all_inner_texts()
    assert options == ["Asia/Tokyo (your browser's zone)", "UTC (the rota's zone)"]
    assert page.locator(".cards > li").count() == 2  # 8 weeks: two of 13 releases
    assert "11 more planned shifts" in page.locator(".more-shifts").inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/rota-page-tokyo-{width}.png", full_page=True)

    # By keyboard: the zone select, then the weeks field, then the Show button.
    page.locator("#id_tz").focus()
    page.keyboard.press("ArrowDown")  # UTC; a select that changes must not leave the page
    assert page.url == f"{base}/rotas/release/"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_weeks"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("26")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/rotas/release/?tz=UTC&weeks=26")
    assert first_shift_title(page).startswith(f"{first:%a} {first.day} {first:%b}, 08:00")
    assert page.locator(".cards > li").count() == 7

    page.goto(f"{base}/rotas/release/?weeks=banana")  # remembered: UTC; bad weeks: the default
    assert "UTC (the rota's zone)" in page.locator(".zone-now").inner_text()
    assert "is not a number of weeks; showing 8" in page.locator(".message-warning").inner_text()
    page.get_by_role("link", name="Show all 52 weeks").click()
    assert page.locator(".cards > li").count() == 13
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=f"{SCREENSHOTS}/rota-page-52-weeks-{width}.png", full_page=True)
    context.close()
