"""A release manager in Chromium: preview a re-plan and publish it, then override a seat, at
phone and desktop widths."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import TimeOff
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    ManagerAction,
    Membership,
    PlanRun,
    Rota,
    RotaKind,
    Shift,
)
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.e2e.test_contributor_pages import SCREENSHOTS, log_in, new_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("asha", "Asia/Kolkata", "Intel"),
    ("carl", "Europe/Berlin", "Red Hat"),
    ("dana", "America/New_York", "IBM"),
    ("eli", "Australia/Sydney", "independent"),
]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_manager_previews_publishes_and_overrides_a_seat(
    browser, live_server, no_broker, width: int
) -> None:
    base = live_server.url
    os.makedirs(SCREENSHOTS, exist_ok=True)
    rota = Rota.objects.create(
        name="PR review", slug="pr-review", kind=RotaKind.REVIEW, horizon_weeks=8, seats=2
    )
    rhea = make_user("rhea", time_zone="Europe/Berlin")
    rota.managers.add(rhea)
    people = [make_user(n, time_zone=z, organisation=o) for n, z, o in PEOPLE]
    for person in people:
        Membership.objects.create(user=person, rota=rota, roles=["reviewer"])
    rota_plan(rota.pk)
    today = timezone.now().date()
    TimeOff.objects.create(
        user=people[1], start=today + timedelta(days=21), end=today + timedelta(days=50)
    )

    context, page = new_page(browser, width=width)
    log_in(page, base, "rhea")
    page.get_by_role("link", name="Manage").click()
    page.wait_for_url(f"{base}/manage/")
    page.get_by_role("link", name="Preview and publish").click()
    page.get_by_role("button", name="Preview a re-plan").click()
    page.get_by_role("heading", name="If published now").wait_for()
    page.screenshot(path=f"{SCREENSHOTS}/manage-preview-{width}.png", full_page=True)
    changes = page.get_by_role("heading", name="If published now").inner_text()
    assert "changes" in changes
    assert not PlanRun.objects.filter(trigger="publish").exists()  # a preview stores no plan
    page.get_by_role("button", name="Publish this re-plan").click()
    page.locator(".message-success").wait_for()
    assert page.locator(".message-success").inner_text().startswith("Published:")
    assert PlanRun.objects.filter(trigger="publish", published_by=rhea).count() == 1

    shift = (
        Shift.objects.filter(rota=rota, starts_at__gt=timezone.now() + timedelta(weeks=3))
        .order_by("starts_at")
        .first()
    )
    holders = set(
        Assignment.objects.active().filter(shift=shift).values_list("person_id", flat=True)
    )
    newcomer = next(p for p in people if p.pk not in holders and p != people[1])
    seat = Assignment.objects.active().filter(shift=shift).select_related("person").first()
    page.goto(f"{base}/manage/pr-review/override/?shift={shift.pk}")
    page.get_by_label("Replace").select_option(str(seat.pk))
    page.get_by_label("Put on duty").select_option(str(newcomer.pk))
    page.get_by_label("Reason").fill("Knows the runtime code")
    page.get_by_role("button", name="Check the rules and coverage").click()
    page.get_by_text("can take this seat").wait_for()
    page.screenshot(path=f"{SCREENSHOTS}/manage-override-{width}.png", full_page=True)
    page.get_by_role("button", name="Confirm the override").click()
    page.wait_for_url(f"{base}/manage/")
    assert "is now on duty" in page.locator(".message-success").inner_text()
    taken = Assignment.objects.active().get(shift=shift, person=newcomer)
    assert taken.source == AssignmentSource.OVERRIDDEN
    assert ManagerAction.objects.filter(kind="override", actor=rhea).exists()
    assert page.get_by_text("Knows the runtime code").count() >= 1  # the audit log
    # Nothing runs off the side of a phone's screen.
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow
    page.screenshot(path=f"{SCREENSHOTS}/manage-dashboard-{width}.png", full_page=True)
    context.close()
