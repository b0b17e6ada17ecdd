"""End to end in Chromium: the calendar feeds page at 1280 and 375 px, by mouse and keyboard."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django.urls import reverse

from rota.feeds.models import FeedToken
from rota.rotas.models import Membership, Rota, RotaKind
from tests.conftest import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp/rota-screens"

# Words of the given cells that the browser broke across lines (a word whose glyphs sit on
# more than one line box).
BROKEN_WORDS = """(selector) => {
  const broken = [];
  document.querySelectorAll(selector).forEach((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const words = /\\S+/g;
      let m;
      while ((m = words.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects())
          .filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  });
  return broken;
}"""

# The horizontal gap, in px, between the texts of neighbouring column headers.
HEADER_GAPS = """(selector) => {
  const boxes = Array.from(document.querySelectorAll(selector))
    .filter((th) => th.textContent.trim() && th.offsetWidth > 1)
    .map((th) => { const r = document.createRange(); r.selectNodeContents(th);
                   return r.getBoundingClientRect(); });
  return boxes.slice(1).map((box, i) => box.left - boxes[i].right);
}"""


def signed_in_page(browser, base: str, user, width: int):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(5000)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context, context.new_page()


@pytest.fixture
def vera(db):
    rota = Rota.objects.create(
        name="Documentation and translations review",
        slug="docs-review",
        kind=RotaKind.REVIEW,
        is_public=True,
    )
    vera = make_user("vera", display_name="Vera", time_zone="Asia/Kolkata")
    Membership.objects.create(user=vera, rota=rota, roles=["reviewer"])
    return vera


def test_feeds_page_copies_asks_before_replacing_and_reads_well_at_1280_and_375(
    browser, live_server, no_broker, vera
) -> None:
    base = live_server.url
    os.makedirs(SCREENSHOTS, exist_ok=True)
    context, page = signed_in_page(browser, base, vera, 1280)

    # The navigation leads to the page.
    page.goto(base + reverse("duties"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar feeds").click()
    page.wait_for_url(base + reverse("feeds:manage"))

    # A first link is made at once; the Copy button puts its address on the clipboard.
    page.get_by_role("button", name="Create a link to my duties").click()
    page.get_by_role("heading", name="Your new feed link: My duties").wait_for()
    address = page.get_by_role("textbox", name="Web address").input_value()
    assert "/feeds/me/" in address
    page.locator("[data-copy=feed-https]").click()
    page.get_by_role("status").filter(has_text="Web address copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    first = FeedToken.objects.get(user=vera, revoked_at=None)

    # A second link would stop the first: the page asks, and "keep" keeps it.
    page.get_by_role("button", name="Replace my link to my duties").click()
    page.get_by_text("your calendar app will stop updating").wait_for()
    assert page.evaluate("document.activeElement.id") == "confirm-heading"
    page.get_by_role("link", name="Keep my current link").click()
    page.get_by_role("heading", name="Your feed links").wait_for()
    assert FeedToken.objects.get(user=vera, revoked_at=None) == first

    # Asked again, and confirmed by keyboard alone.
    page.get_by_role("button", name="Replace my link to my duties").click()
    page.get_by_text("your calendar app will stop updating").wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Create a new link"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your new feed link: My duties").wait_for()
    first.refresh_from_db()
    assert first.revoked_at is not None
    page.get_by_role("button", name="Create a link to everyone's duties in Documentation").click()
    page.get_by_role("heading", name="Your new feed link").wait_for()

    # 1280 px: the column headers stand apart.
    page.goto(base + reverse("feeds:manage"))
    assert page.locator("table.feed-links tbody tr").count() == 3
    gaps = page.evaluate(HEADER_GAPS, "table.feed-links th")
    assert len(gaps) >= 4 and min(gaps) >= 16, gaps
    page.screenshot(path=f"{SCREENSHOTS}/feeds-1280.png", full_page=True)
    context.close()

    # 375 px: nothing wider than the screen, no word broken in the links table.
    context, page = signed_in_page(browser, base, vera, 375)
    page.goto(base + reverse("feeds:manage"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(BROKEN_WORDS, "table.feed-links td") == []
    assert page.locator("table.feed-links td[data-label=Created]").first.is_visible()
    page.screenshot(path=f"{SCREENSHOTS}/feeds-375.png", full_page=True)
    page.get_by_role("button", name="Replace my link to my duties").click()
    page.get_by_text("your calendar app will stop updating").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=f"{SCREENSHOTS}/feeds-confirm-375.png")
    page.get_by_role("button", name="Create a new link").click()
    page.locator("[data-copy=feed-webcal]").click()
    page.get_by_role("status").filter(has_text="Calendar app address copied.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=f"{SCREENSHOTS}/feeds-created-375.png")

    # Each public rota page links its public feed.
    page.goto(base + reverse("rota_detail", args=["docs-review"]))
    feed = reverse("feeds:public", kwargs={"slug": "docs-review"})
    link = page.get_by_role("link", name="feed address")
    assert link.get_attribute("href") == feed
    subscribe = page.get_by_role("link", name="subscribe in your calendar app")
    assert subscribe.get_attribute("href").startswith("webcal://")
    response = page.request.get(base + feed)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    page.screenshot(path=f"{SCREENSHOTS}/rota-feed-link-375.png", full_page=True)
    context.close()
