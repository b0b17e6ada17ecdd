"""End to end in Chromium: sign up from India, add time off, see duties, swap them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from rota.rotas.models import Assignment, Membership, Rota, RotaKind, SwapStatus
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp/rota-screens"


def new_page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(
        timezone_id="Asia/Kolkata", viewport={"width": width, "height": height}, locale="en-GB"
    )
    context.set_default_timeout(5000)
    return context, context.new_page()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.locator("#id_password").fill("correct horse 42")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_a_contributor_signs_up_from_india_and_a_second_takes_their_swap(
    browser, live_server, no_broker
) -> None:
    base = live_server.url
    rota = Rota.objects.create(
        name="PR review", slug="pr-review", kind=RotaKind.REVIEW, handoff_zone="Europe/Berlin"
    )
    context, page = new_page(browser)
    page.goto(f"{base}/signup")
    page.get_by_label("Time zone").wait_for()
    assert page.get_by_label("Time zone").input_value() == "Asia/Kolkata"  # from the browser
    assert page.get_by_label("Country").input_value() == "IN"
    page.get_by_label("Username").fill("priya")
    page.get_by_label("E-mail address").fill("priya@example.org")
    page.locator("#id_password1").fill("a long unusual passphrase 9")
    page.locator("#id_password2").fill("a long unusual passphrase 9")
    page.get_by_label("Display name").fill("Priya")
    page.get_by_label("PR review: reviewer").check()
    page.get_by_role("button", name="Add a window").click()
    page.locator("#id_hours-5-weekday").select_option("5")
    page.locator("#id_hours-5-start").fill("10:00")
    page.locator("#id_hours-5-end").fill("12:00")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base}/me/duties")
    priya = User.objects.get(username="priya")
    assert priya.time_zone == "Asia/Kolkata" and priya.working_hours.count() == 6
    assert Membership.objects.filter(user=priya, rota=rota).exists()

    # A duty for her next week, set by a manager (the planner is covered by its own tests;
    # the re-plans this page triggers keep a manager's override).
    start = (timezone.now() + timedelta(days=7)).replace(hour=7, minute=0, second=0, microsecond=0)
    duty = make_duty(
        make_shift(rota, start), priya, explanation="You are owed a turn.", source="overridden"
    )

    page.goto(f"{base}/me/time-off")
    off = timezone.now().date() + timedelta(days=200)
    page.get_by_label("First day off").fill(off.isoformat())
    page.get_by_label("Last day off").fill((off + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Add time off").click()
    page.get_by_text("What changed in your upcoming duties").wait_for()
    assert page.url == f"{base}/me/time-off"  # redirected after the post
    assert priya.time_off.count() == 1
    page.reload()  # a GET now: nothing is posted twice and the change list is gone
    page.get_by_role("heading", name="Upcoming time off").wait_for()
    assert page.get_by_text("What changed in your upcoming duties").count() == 0
    assert priya.time_off.count() == 1

    page.goto(f"{base}/me/duties")
    local = start.astimezone(timezone.get_fixed_timezone(330))
    assert f"{local:%H}:{local:%M}" == "12:30"
    card = page.locator(f'[data-duty="{duty.pk}"]')
    assert "12:30 your time" in card.locator(".handoff").inner_text()
    card.get_by_text("Why me?").click()
    assert card.get_by_text("You are owed a turn.").is_visible()
    card.get_by_role("link", name="Ask for a swap").click()
    page.get_by_label("Message").fill("Family wedding")
    page.get_by_role("button", name="Ask for a swap").click()
    page.wait_for_url(f"{base}/swaps")
    context.close()

    otto = make_user("otto", time_zone="America/New_York", country="US")
    Membership.objects.create(user=otto, rota=rota, roles=["reviewer"])
    context, page = new_page(browser)
    log_in(page, base, "otto")
    page.goto(f"{base}/swaps")
    assert "Family wedding" in page.locator(".swap").inner_text()
    page.get_by_role("button", name="Take this duty").click()
    page.wait_for_url(f"{base}/me/duties")
    assert page.locator(".duty").count() >= 1
    duty.refresh_from_db()
    assert duty.cancelled_at is not None and duty.swaps.get().status == SwapStatus.ACCEPTED
    assert Assignment.objects.active().get(shift=duty.shift).person == otto
    context.close()


def test_picking_another_duty_on_the_swap_form_lists_that_duty_s_people(
    browser, live_server, no_broker
) -> None:
    base = live_server.url
    review = Rota.objects.create(name="PR review", slug="pr-review", kind=RotaKind.REVIEW)
    triage = Rota.objects.create(name="Triage", slug="triage", kind=RotaKind.TRIAGE)
    vera = make_user("vera", time_zone="Asia/Kolkata", country="IN")
    tara = make_user("tara", time_zone="Europe/London", country="GB")
    uma = make_user("uma", time_zone="Europe/Madrid", country="ES")
    for person, rota, role in [
        (vera, review, "reviewer"),
        (vera, triage, "triager"),
        (tara, review, "reviewer"),
        (uma, triage, "triager"),
    ]:
        Membership.objects.create(user=person, rota=rota, roles=[role])
    start = (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    make_duty(make_shift(review, start), vera)
    triage_duty = make_duty(make_shift(triage, start + timedelta(weeks=1)), vera, "triager")
    context, page = new_page(browser)
    log_in(page, base, "vera")
    page.goto(f"{base}/swaps/new")
    ask = page.get_by_label("Ask")
    assert "Tara (Europe/London)" in ask.inner_text() and "Uma" not in ask.inner_text()
    assert not page.get_by_role("button", name="Choose this duty").is_visible()
    page.get_by_label("Message").fill("Exams")
    page.get_by_label("Duty to swap").select_option(str(triage_duty.pk))
    page.get_by_label("Ask").select_option(label="Uma (Europe/Madrid)")  # waits for the list
    assert "Tara" not in page.get_by_label("Ask").inner_text()
    assert page.get_by_label("Message").input_value() == "Exams"
    page.get_by_role("button", name="Ask for a swap").click()
    page.wait_for_url(f"{base}/swaps")
    swap = triage_duty.swaps.get()
    assert (swap.target, swap.message) == (uma, "Exams")
    context.close()


def test_no_page_scrolls_sideways_at_375_pixels(browser, live_server, no_broker) -> None:
    import os

    base = live_server.url
    rota = Rota.objects.create(name="Release", slug="release", kind=RotaKind.RELEASE)
    vera = make_user("vera", time_zone="Asia/Kolkata", country="IN", organisation="Intel")
    Membership.objects.create(user=vera, rota=rota, roles=["lead", "shadow"])
    other = make_user("otto", time_zone="America/Los_Angeles", country="US")
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    shift = make_shift(rota, start, covered_hours=[1, 2, 3, 14, 15])
    make_duty(shift, vera, role="lead", explanation="Owed the most lead turns.")
    make_duty(shift, other, role="shadow")
    os.makedirs(SCREENSHOTS, exist_ok=True)
    public = ["/", "/signup", "/login", "/password/reset", "/rotas/release"]
    private = ["/me/duties", "/me/profile", "/me/time-off", "/me/rotas", "/swaps", "/swaps/new"]
    for width in (375, 1280):
        context, page = new_page(browser, width=width, height=800)
        for path in public + private:
            if path == private[0]:
                log_in(page, base, "vera")
            page.goto(base + path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=f"{SCREENSHOTS}/{name}-{width}.png", full_page=True)
        context.close()
