"""Every action answers with a message, and leaving a rota asks first: in Chromium, at phone
and desktop widths, by keyboard."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from rota.rotas.models import Membership, Rota, RotaKind, SwapRequest
from tests.conftest import make_user
from tests.e2e.test_contributor_pages import SCREENSHOTS, log_in, new_page
from tests.rotas.duties import make_duty, make_shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def message_text(page) -> str:
    return page.locator(".message-success").inner_text()


@pytest.mark.parametrize("width", [375, 1280])
def test_signing_up_asking_taking_withdrawing_pausing_and_leaving_each_say_what_happened(
    browser, live_server, no_broker, width: int
) -> None:
    base = live_server.url
    os.makedirs(SCREENSHOTS, exist_ok=True)
    rota = Rota.objects.create(name="PR review", slug="pr-review", kind=RotaKind.REVIEW)
    tara = make_user("tara", time_zone="Europe/London", country="GB")
    uma = make_user("uma", time_zone="Europe/Madrid", country="ES")
    for person in (tara, uma):
        Membership.objects.create(user=person, rota=rota, roles=["reviewer"])

    context, page = new_page(browser, width=width)
    page.goto(f"{base}/signup/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("E-mail address").fill("priya@example.org")
    page.locator("#id_password1").fill("a long unusual passphrase 9")
    page.locator("#id_password2").fill("a long unusual passphrase 9")
    page.get_by_label("Display name").fill("Priya")
    page.get_by_label("PR review: reviewer").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base}/me/duties/")
    assert message_text(page) == "Welcome to Rota, Priya. You joined PR review (reviewer)."
    outlook = page.locator('[data-outlook="pr-review"]').inner_text()
    assert "is being planned with you in it" in outlook and "most likely start after" in outlook
    assert page.get_by_role("link", name="Join a rota").count() == 0
    page.screenshot(path=f"{SCREENSHOTS}/feedback-signed-up-{width}.png", full_page=True)

    start = (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    priya = Membership.objects.get(user__username="priya")
    duty = make_duty(make_shift(rota, start), priya.user, source="overridden")
    page.goto(f"{base}/swaps/new/?duty={duty.pk}")
    page.get_by_role("button", name="Ask for a swap").click()
    page.wait_for_url(f"{base}/swaps/")
    assert "2 people can take it" in message_text(page)
    page.screenshot(path=f"{SCREENSHOTS}/feedback-swap-asked-{width}.png", full_page=True)
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_url(f"{base}/swaps/")
    assert message_text(page).startswith("You withdrew your swap request for the reviewer duty")
    context.close()

    swap = SwapRequest.objects.create(assignment=duty, requester=priya.user)
    context, page = new_page(browser, width=width)
    log_in(page, base, "tara")
    page.goto(f"{base}/swaps/")
    page.locator(f'[data-swap="{swap.pk}"]').get_by_role("button", name="Take this duty").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/me/duties/")
    assert message_text(page).startswith("You took Priya's reviewer duty on PR review from")

    page.goto(f"{base}/me/rotas/")
    page.get_by_role("button", name="Pause PR review").click()
    page.wait_for_url(f"{base}/me/rotas/")
    assert message_text(page).startswith("You paused PR review; duties in the next 2 weeks")

    # Leaving asks first, on a page of its own; by keyboard: focus the link, Enter, Enter.
    page.get_by_role("link", name="Leave PR review…").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Leave PR review?").wait_for()
    page.screenshot(path=f"{SCREENSHOTS}/feedback-leave-confirm-{width}.png", full_page=True)
    assert Membership.objects.filter(user=tara).exists()
    page.get_by_role("button", name="Leave PR review").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/me/rotas/")
    assert message_text(page) == "You left PR review; duties in the next 2 weeks stay yours."
    assert not Membership.objects.filter(user=tara).exists()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


def test_revoking_a_feed_link_asks_first_and_a_no_keeps_it(browser, live_server) -> None:
    from rota.feeds.models import FeedKind, FeedToken
    from rota.feeds.services import feed_token_create

    base = live_server.url
    vera = make_user("vera", time_zone="Asia/Kolkata", country="IN")
    feed_token_create(vera, FeedKind.PERSONAL, None, timezone.now())
    context, page = new_page(browser)
    log_in(page, base, "vera")
    page.goto(f"{base}/feeds/")
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Revoke").click()
    assert asked and "Calendar apps subscribed to it stop updating" in asked[0]
    assert FeedToken.objects.get(user=vera).revoked_at is None
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Revoke").focus()
    page.keyboard.press("Enter")
    page.get_by_text("The feed link is revoked").wait_for()
    assert FeedToken.objects.get(user=vera).revoked_at is not None
    context.close()
