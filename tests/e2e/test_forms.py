"""Forms by keyboard and at 1280 and 375 px: the working-hours editor, the swap form's duty
select, Enter on a checkbox, and the error summary."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from rota.rotas.models import Membership, Rota, RotaKind
from tests.conftest import make_user
from tests.e2e.test_contributor_pages import SCREENSHOTS, log_in, new_page
from tests.rotas.duties import make_duty, make_shift

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# How much of the chosen option a select can show: its inner width less the arrow, against
# the width of "Wednesday" in the select's own font.
DAY_SELECT_ROOM = """
(select) => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = style.font;
  const inner = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return inner - 20 - canvas.measureText("Wednesday").width;
}
"""


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_working_hours_editor_shows_whole_days_a_blank_spare_row_and_one_tab_per_time(
    browser, live_server, width: int
) -> None:
    base = live_server.url
    os.makedirs(SCREENSHOTS, exist_ok=True)
    context, page = new_page(browser, width=width)
    page.goto(f"{base}/signup/")
    for day in page.locator(".hours-row select").all():
        assert day.evaluate(DAY_SELECT_ROOM) >= 0, "a day name is cut off"
    spare = page.locator(".hours-row").nth(5)
    assert "is-empty" in (spare.get_attribute("class") or "")
    assert spare.locator("select").input_value() == ""
    assert spare.locator("select option:checked").inner_text() == "Choose a day"
    assert page.locator(".hours-row").nth(0).locator("select").input_value() == "0"
    page.locator(".hours-editor").screenshot(path=f"{SCREENSHOTS}/forms-hours-{width}.png")

    page.locator("#id_hours-0-weekday").focus()
    page.keyboard.press("Tab")
    assert focused(page) == "id_hours-0-start"
    page.keyboard.press("Tab")  # not the minutes of the same input
    assert focused(page) == "id_hours-0-end"
    page.keyboard.press("Tab")
    assert focused(page) == "id_hours-0-ends_next_day"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "id_hours-0-start"
    page.keyboard.press("Shift+Tab")
    assert focused(page) == "id_hours-0-weekday"

    page.get_by_role("button", name="Add a window").click()
    added = page.locator(".hours-row").nth(6)
    assert added.locator("select").input_value() == "" and focused(page) == "id_hours-6-weekday"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_enter_on_a_checkbox_signs_up_and_the_error_summary_takes_focus_and_links_to_fields(
    browser, live_server, width: int
) -> None:
    base = live_server.url
    rota = Rota.objects.create(name="PR review", slug="pr-review", kind=RotaKind.REVIEW)
    context, page = new_page(browser, width=width)
    page.goto(f"{base}/signup/")
    page.get_by_label("Username").fill("priya")
    page.locator("#id_password1").fill("a long unusual passphrase 9")
    page.locator("#id_password2").fill("a long unusual passphrase 9")
    page.locator("#id_hours-5-start").fill("10:00")  # times without a day
    page.locator("#id_hours-5-end").fill("12:00")
    page.get_by_role("button", name="Sign up").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link").all_inner_texts()
    assert links == [
        "E-mail address: This field is required.",
        "Working hours, row 6, Day: Choose a day.",
    ]
    page.screenshot(path=f"{SCREENSHOTS}/forms-error-summary-{width}.png")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first link
    assert focused(page) == "id_email"
    page.keyboard.type("priya@example.org")
    summary.get_by_role("link", name="Working hours, row 6, Day: Choose a day.").click()
    assert focused(page) == "id_hours-5-weekday"
    page.locator("#id_hours-5-weekday").select_option("5")
    page.locator("#id_password1").fill("a long unusual passphrase 9")
    page.locator("#id_password2").fill("a long unusual passphrase 9")

    box = page.get_by_label("PR review: reviewer")
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/me/duties/")
    priya = User.objects.get(username="priya")
    assert Membership.objects.filter(user=priya, rota=rota).exists()
    assert priya.working_hours.filter(weekday=5).count() == 1
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_arrow_keys_on_the_swap_form_s_duty_select_keep_the_page_and_list_each_duty_s_people(
    browser, live_server, width: int
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
    make_duty(make_shift(triage, start + timedelta(weeks=1)), vera, "triager")
    context, page = new_page(browser, width=width)
    log_in(page, base, "vera")
    page.goto(f"{base}/swaps/new/")
    page.get_by_label("Message").fill("Exams")
    duty = page.get_by_label("Duty to swap")
    duty.focus()
    page.keyboard.press("ArrowDown")
    page.get_by_label("Ask").locator("option", has_text="Uma").wait_for(state="attached")
    assert page.url == f"{base}/swaps/new/"  # not submitted: no reload, no ?duty=
    assert focused(page) == "id_duty"
    assert "Tara" not in page.get_by_label("Ask").inner_text()
    assert "1 person can be asked" in page.locator("[data-target-status]").inner_text()
    page.keyboard.press("ArrowUp")
    page.get_by_label("Ask").locator("option", has_text="Tara").wait_for(state="attached")
    assert focused(page) == "id_duty" and page.get_by_label("Message").input_value() == "Exams"
    page.screenshot(path=f"{SCREENSHOTS}/forms-swap-{width}.png")
    context.close()
