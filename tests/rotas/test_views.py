"""Rota list and schedule pages, my duties and my rotas (join, pause, leave)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.models import User
from rota.rotas import services
from rota.rotas.models import Assignment, Membership, Rota, RotaKind
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 12:00 UTC.
NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
MONDAY_0830_UTC = datetime(2026, 3, 9, 8, 30, tzinfo=UTC)


@pytest.fixture
def private_rota(db: None) -> Rota:
    return Rota.objects.create(
        name="Security", slug="security", kind=RotaKind.TRIAGE, is_public=False
    )


def test_home_lists_public_rotas_but_not_private_ones(
    client: Client, review_rota: Rota, private_rota: Rota
) -> None:
    html = client.get("/").content.decode()
    assert "/rotas/pr-review/" in html and "Security" not in html


def test_a_private_rota_is_404_for_signed_in_outsiders_and_visible_to_members_managers_and_staff(
    client: Client, private_rota: Rota, volunteer: User, outsider: User
) -> None:
    client.force_login(outsider)
    assert client.get("/rotas/security/").status_code == 404
    Membership.objects.create(user=volunteer, rota=private_rota, roles=["triager"])
    client.force_login(volunteer)
    assert client.get("/rotas/security/").status_code == 200
    manager = make_user("mona")
    private_rota.managers.add(manager)
    client.force_login(manager)
    assert client.get("/rotas/security/").status_code == 200
    staff = make_user("sam", is_staff=True)
    client.force_login(staff)
    assert client.get("/rotas/security/").status_code == 200
    assert client.get("/rotas/no-such-rota/").status_code == 404


def test_anyone_signed_out_is_asked_to_log_in_for_a_rota_that_is_not_public_existing_or_not(
    client: Client, private_rota: Rota
) -> None:
    for slug in ("security", "no-such-rota"):
        response = client.get(f"/rotas/{slug}/?weeks=4")
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next=/rotas/{slug}/%3Fweeks%3D4"
    login = client.get("/rotas/security/", follow=True)
    assert "Log in" in login.content.decode() and "No such rota" not in login.content.decode()


@time_machine.travel(NOW, tick=False)
def test_rota_page_shows_who_is_on_duty_in_the_viewers_zone_and_switches_to_utc_or_rota(
    client: Client, review_rota: Rota, volunteer: User, outsider: User
) -> None:
    review_rota.handoff_zone = "Europe/Berlin"
    review_rota.save()
    current = make_shift(
        review_rota, datetime(2026, 3, 2, 8, tzinfo=UTC), covered_hours=[3, 4, 5, 9]
    )
    make_duty(current, volunteer)
    make_duty(make_shift(review_rota, MONDAY_0830_UTC), outsider)
    html = client.get("/rotas/pr-review/").content.decode()  # anonymous: UTC
    assert "Mon 9 Mar, 08:30" in html and "Otto" in html
    assert "On duty now" in html and "Vera" in html
    assert "03:00-06:00, 09:00-10:00 UTC" in html  # the bar's text alternative
    assert html.count('class="on"') >= 4
    client.force_login(volunteer)  # Asia/Kolkata: UTC+5:30
    assert "Mon 9 Mar, 14:00" in client.get("/rotas/pr-review/").content.decode()
    assert "Mon 9 Mar, 08:30" in client.get("/rotas/pr-review/?tz=utc").content.decode()
    assert "Mon 9 Mar, 09:30" in client.get("/rotas/pr-review/?tz=rota").content.decode()
    assert client.get("/rotas/pr-review/?tz=<script>").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_my_duties_show_local_time_handoff_coworkers_and_why_me(
    client: Client, review_rota: Rota, volunteer: User, outsider: User
) -> None:
    review_rota.handoff_zone = "Europe/Berlin"
    review_rota.save()
    shift = make_shift(review_rota, MONDAY_0830_UTC)
    make_duty(shift, volunteer, explanation="You are owed the fewest duties.")
    make_duty(shift, outsider)
    past = make_shift(review_rota, MONDAY_0830_UTC - timedelta(weeks=2))
    make_duty(past, volunteer)
    client.force_login(volunteer)
    response = client.get("/me/duties/")
    html = response.content.decode()
    assert "Starts Monday 09:30 Europe/Berlin = Monday 14:00 your time" in html
    assert "Otto (reviewer, starts Mon 04:30 America/New_York)" in html
    assert "You are owed the fewest duties." in html
    assert len(response.context["upcoming"]) == 1 and len(response.context["recent"]) == 1
    assert "/feeds/" in html  # the subscribe button links to the feeds page
    client.force_login(outsider)
    assert "You are owed the fewest duties." not in client.get("/me/duties/").content.decode()


def test_my_pages_need_a_login(client: Client) -> None:
    for url in ["/me/duties/", "/me/rotas/", "/swaps/", "/swaps/new/", "/me/time-off/"]:
        assert client.get(url).status_code == 302, url


def test_i_can_join_a_public_rota_with_roles(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    client.force_login(volunteer)
    response = client.post("/me/rotas/", {"roles": [f"{review_rota.pk}:reviewer"]}, follow=True)
    assert response.redirect_chain == [("/me/rotas/", 303)]
    assert response.status_code == 200
    assert "What changed in your upcoming duties" in response.content.decode()
    assert Membership.objects.get(user=volunteer).roles == ["reviewer"]
    refreshed = client.get("/me/rotas/").content.decode()
    assert "What changed" not in refreshed and "PR review" in refreshed
    for garbage in [{"roles": "1:nope"}, {"roles": "x"}, {"roles": f"{review_rota.pk}:lead"}]:
        assert client.post("/me/rotas/", garbage).status_code == 400


def community(rota: Rota) -> list[User]:
    people = []
    for i, (zone, country) in enumerate(
        [
            ("Europe/London", "GB"),
            ("America/New_York", "US"),
            ("Asia/Tokyo", "JP"),
            ("Europe/Madrid", "ES"),
        ]
    ):
        person = make_user(f"c{i}", time_zone=zone, country=country, organisation=f"org{i}")
        Membership.objects.create(user=person, rota=rota, roles=["reviewer"])
        people.append(person)
    return people


@pytest.mark.parametrize("action", ["pause", "leave"])
@time_machine.travel(NOW, tick=False)
def test_pausing_or_leaving_hands_my_duties_beyond_the_freeze_window_to_others(
    client: Client, member: Membership, action: str
) -> None:
    rota = member.rota
    community(rota)
    rota_plan(rota.pk, now=NOW)
    freeze_until = NOW + timedelta(weeks=rota.freeze_weeks)
    mine = Assignment.objects.active().filter(person=member.user)
    frozen_before = set(mine.filter(shift__starts_at__lt=freeze_until).values_list("pk", flat=True))
    assert mine.filter(shift__starts_at__gte=freeze_until).exists()
    client.force_login(member.user)
    response = client.post(f"/me/rotas/{action}/", {"id": member.pk}, follow=True)
    assert response.redirect_chain == [("/me/rotas/", 303)]
    assert response.status_code == 200
    assert not mine.filter(shift__starts_at__gte=freeze_until).exists()
    assert (
        set(mine.filter(shift__starts_at__lt=freeze_until).values_list("pk", flat=True))
        == frozen_before
    )
    assert any(c["change"] == "removed" for c in response.context["changes"])
    assert "No longer on duty" in response.content.decode()
    assert "No longer on duty" not in client.get("/me/rotas/").content.decode()
    if action == "pause":
        member.refresh_from_db()
        assert member.paused
    else:
        assert not Membership.objects.filter(pk=member.pk).exists()


def test_i_cannot_pause_or_leave_someone_elses_membership(
    client: Client, member: Membership, outsider: User
) -> None:
    client.force_login(outsider)
    for action in ["pause", "resume", "leave"]:
        assert client.post(f"/me/rotas/{action}/", {"id": member.pk}).status_code == 404
        assert client.post(f"/me/rotas/{action}/", {"id": "1; drop"}).status_code == 404
        assert client.post(f"/me/rotas/{action}/", {}).status_code == 404
    assert Membership.objects.filter(pk=member.pk, paused=False).exists()


@time_machine.travel(NOW, tick=False)
def test_my_duties_warn_about_a_duty_in_my_time_off_naming_it_and_why_it_stayed(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    from accounts.services import time_off_add

    during = make_duty(make_shift(review_rota, MONDAY_0830_UTC), volunteer)
    later = make_duty(make_shift(review_rota, MONDAY_0830_UTC + timedelta(weeks=3)), volunteer)
    day = MONDAY_0830_UTC.date() + timedelta(days=2)
    time_off_add(volunteer, day, day, "Sister's wedding")
    client.force_login(volunteer)
    response = client.get("/me/duties/")
    warned = {d.assignment.pk for d in response.context["upcoming"] if d.off_during}
    assert warned == {during.pk}
    assert later.pk not in warned
    html = response.content.decode()
    assert "During this duty you have your time off (Sister&#x27;s wedding)." in html
    assert "It is still yours because it starts within PR review&#x27;s freeze window" in html


@time_machine.travel(NOW, tick=False)
def test_the_time_off_warning_names_the_holiday_and_a_swap_or_the_rule_that_kept_the_duty(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    volunteer.count_public_holidays = True  # India: Holi is on Wednesday 4 March 2026
    volunteer.save()
    make_duty(make_shift(review_rota, datetime(2026, 3, 2, 8, tzinfo=UTC)), volunteer)
    swapped = make_duty(make_shift(review_rota, datetime(2026, 3, 30, 8, tzinfo=UTC)), volunteer)
    swapped.source = "swapped"
    swapped.save()
    from accounts.services import time_off_add

    time_off_add(volunteer, swapped.shift.starts_at.date(), swapped.shift.starts_at.date())
    planned_late = make_duty(
        make_shift(review_rota, datetime(2026, 4, 27, 8, tzinfo=UTC)), volunteer
    )
    late_day = planned_late.shift.starts_at.date()
    time_off_add(volunteer, late_day, late_day)
    client.force_login(volunteer)
    views = {d.assignment.pk: d for d in client.get("/me/duties/").context["upcoming"]}
    holi = next(d for d in views.values() if d.shift.starts_at.day == 2)
    assert holi.off_names and "a public holiday" in holi.off_names[0]
    assert "Holi" in holi.off_names[0]
    assert views[swapped.pk].kept_because.startswith("you took it in a swap")
    assert views[planned_late.pk].kept_because == (
        "you are free for at least 50% of your working time in it, so PR review still counts"
        " you as available"
    )


def test_after_signing_up_my_duties_say_planning_runs_and_when_a_first_duty_is_likely(
    client: Client, review_rota: Rota
) -> None:
    from tests.accounts.test_views import signup_data

    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/signup/", signup_data(roles=[f"{review_rota.pk}:reviewer"]), follow=True
        )
    html = response.content.decode()
    assert "PR review</strong> is being planned with you in it" in html
    assert "your first duty will most likely start after Wednesday 18 March 2026" in html
    assert "Join a rota" not in html
    with time_machine.travel(NOW, tick=False):
        rota_plan(review_rota.pk, now=NOW)  # a plan with too few people: no duty for her
        html = client.get("/me/duties/").content.decode()
    assert "PR review</strong> has been planned since you joined" in html


def test_someone_in_no_rota_is_invited_to_join_one(client: Client, volunteer: User) -> None:
    client.force_login(volunteer)
    html = client.get("/me/duties/").content.decode()
    assert "Join a rota" in html and "being planned" not in html


@time_machine.travel(NOW, tick=False)
def test_outsiders_see_display_names_or_a_volunteer_but_never_usernames_or_zones(
    client: Client, review_rota: Rota, member: Membership, outsider: User
) -> None:
    shift = make_shift(review_rota, MONDAY_0830_UTC)
    make_duty(shift, member.user)  # Vera, Asia/Kolkata
    make_duty(shift, make_user("quiet_quentin", display_name="", time_zone="Pacific/Auckland"))
    for viewer in (None, outsider):
        if viewer:
            client.force_login(viewer)
        html = client.get("/rotas/pr-review/").content.decode()
        assert "Vera" in html and "A volunteer" in html
        assert "quiet_quentin" not in html
        assert "Asia/Kolkata" not in html and "Pacific/Auckland" not in html
    client.force_login(member.user)
    html = client.get("/rotas/pr-review/").content.decode()
    assert "quiet_quentin" in html and "Pacific/Auckland" in html and "Asia/Kolkata" in html


def test_joining_several_rotas_saves_all_or_none(
    volunteer: User, review_rota: Rota, private_rota: Rota
) -> None:
    # "PR review" is joined first (by name), then the private "Security" refuses.
    with pytest.raises(PermissionDenied):
        services.contributor_rotas_save(
            volunteer, {review_rota.pk: ["reviewer"], private_rota.pk: ["triager"]}
        )
    assert not Membership.objects.filter(user=volunteer).exists()


@time_machine.travel(NOW, tick=False)
def test_a_zone_chosen_on_a_rota_page_is_remembered_and_a_bad_one_is_named_not_used(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    make_duty(make_shift(review_rota, MONDAY_0830_UTC), volunteer)
    chosen = client.get("/rotas/pr-review/?tz=America/New_York")
    assert "Mon 9 Mar, 04:30" in chosen.content.decode()
    assert chosen.cookies["rota_zone"].value == "America/New_York"
    assert "Mon 9 Mar, 04:30" in client.get("/rotas/pr-review/").content.decode()  # remembered
    bad = client.get("/rotas/pr-review/?tz=Mars/Base")
    html = bad.content.decode()
    assert bad.status_code == 200 and "Mon 9 Mar, 04:30" in html
    assert "“Mars/Base” is not a time zone we know" in html
    assert client.cookies["rota_zone"].value == "America/New_York"


@time_machine.travel(NOW, tick=False)
def test_a_visitor_s_browser_zone_is_used_until_they_choose_and_utc_is_offered_once(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    make_duty(make_shift(review_rota, MONDAY_0830_UTC), volunteer)
    first = client.get("/rotas/pr-review/").content.decode()
    assert "data-zone-guessed" in first  # rota.js stores the browser's zone and reloads once
    client.cookies["rota_browser_zone"] = "Asia/Tokyo"
    response = client.get("/rotas/pr-review/")
    html = response.content.decode()
    assert "Mon 9 Mar, 17:30" in html and "data-zone-guessed" not in html
    # The rota hands over in UTC: one "UTC" choice, labelled as the rota's zone.
    labels = [c.label for c in response.context["viewer_zone"].choices]
    assert labels == ["Asia/Tokyo (your browser's zone)", "UTC (the rota's zone)"]
    client.cookies["rota_browser_zone"] = "<script>"
    assert "data-zone-guessed" in client.get("/rotas/pr-review/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_rota_page_shows_more_weeks_when_asked_up_to_the_rota_s_horizon(
    client: Client, review_rota: Rota, volunteer: User
) -> None:
    review_rota.horizon_weeks = 26
    review_rota.save()
    for week in range(20):
        make_duty(make_shift(review_rota, MONDAY_0830_UTC + timedelta(weeks=week)), volunteer)
    default = client.get("/rotas/pr-review/")
    assert len(default.context["schedule"]) == 8
    assert "12 more planned shifts after these 8 weeks" in default.content.decode()
    assert 'href="?weeks=26"' in default.content.decode()
    assert len(client.get("/rotas/pr-review/?weeks=26").context["schedule"]) == 20
    assert len(client.get("/rotas/pr-review/?weeks=2").context["schedule"]) == 2
    too_many = client.get("/rotas/pr-review/?weeks=9999")
    assert too_many.context["weeks"] == 26
    assert "planned 26 weeks ahead; showing all 26" in too_many.content.decode()
    for garbage in ["abc", "-3", "0", "1e9", "99999999999999999999", "<b>"]:
        response = client.get("/rotas/pr-review/", {"weeks": garbage})
        assert response.status_code == 200 and response.context["weeks"] == 8, garbage
        assert "showing 8" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_home_page_and_the_rota_list_say_who_is_on_duty_now_in_each_rota(
    client: Client, review_rota: Rota, volunteer: User, outsider: User, private_rota: Rota
) -> None:
    Rota.objects.create(name="Triage", slug="triage", kind=RotaKind.TRIAGE)
    make_duty(make_shift(review_rota, datetime(2026, 3, 2, 8, tzinfo=UTC)), volunteer)
    make_duty(make_shift(review_rota, MONDAY_0830_UTC), outsider)  # next week: not now
    secret = make_shift(private_rota, datetime(2026, 3, 2, 8, tzinfo=UTC))
    make_duty(secret, outsider, role="triager")
    for url in ["/", "/rotas/"]:
        response = client.get(url)
        cards = {item.rota.slug: item for item in response.context["rotas"]}
        assert set(cards) == {"pr-review", "triage"}
        assert [s.label for sv in cards["pr-review"].on_duty for s in sv.seats] == ["Vera"]
        assert cards["triage"].on_duty == []
        html = response.content.decode()
        assert "On duty now:</strong> Vera" in html and "Otto" not in html
        assert "until Mon 9 Mar, 08:00" in html  # UTC for a visitor whose zone is unknown
