"""Sign-up, log in/out, password reset, profile and time off pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts.availability import WindowSpec
from accounts.models import TimeOff, User
from rota.rotas.models import Membership, Rota, RotaKind
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)


def hours_data(rows: list[tuple[int, str, str, bool]], prefix: str = "hours") -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, (day, start, end, overnight) in enumerate(rows):
        data.update({f"{prefix}-{i}-weekday": str(day), f"{prefix}-{i}-start": start})
        data[f"{prefix}-{i}-end"] = end
        if overnight:
            data[f"{prefix}-{i}-ends_next_day"] = "on"
    return data


def signup_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "username": "priya",
        "email": "priya@example.org",
        "password1": "a long unusual passphrase 9",
        "password2": "a long unusual passphrase 9",
        "display_name": "Priya",
        "github_login": "priya-dev",
        "time_zone": "Asia/Kolkata",
        "country": "IN",
        "organisation": "Intel",
        **hours_data([(0, "09:00", "13:00", False), (0, "14:00", "18:00", False)]),
        **hours_data([(d, "09:00", "17:00", False) for d in range(5)]),
    }
    data.update(overrides)
    return data


def test_signup_page_offers_zones_with_a_country_map_and_prefilled_hours(client: Client) -> None:
    response = client.get("/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'list="time-zones"' in html and '<option value="Asia/Kolkata">' in html
    assert 'id="country-zones"' in html
    start = html.index('id="country-zones"')
    payload = html[html.index(">", start) + 1 : html.index("</script>", start)]
    assert "Asia/Kolkata" in json.loads(payload)["IN"]
    assert html.count('type="time"') >= 10  # Monday-Friday 09:00-17:00, two fields each
    assert 'value="09:00"' in html and 'value="17:00"' in html
    assert "csrfmiddlewaretoken" in html


def test_signing_up_creates_the_person_joins_rotas_and_logs_them_in(
    client: Client, review_rota: Rota
) -> None:
    data = signup_data(roles=[f"{review_rota.pk}:reviewer"])
    data.update(
        hours_data(
            [
                (0, "09:00", "12:00", False),
                (0, "13:00", "17:00", False),
                (4, "22:00", "02:00", True),
            ]
        )
    )
    response = client.post("/signup/", data)
    assert response.status_code == 302
    user = User.objects.get(username="priya")
    assert user.time_zone == "Asia/Kolkata" and user.check_password("a long unusual passphrase 9")
    assert sorted(w.spec for w in user.working_hours.all()) == [
        WindowSpec(0, time(9), time(12)),
        WindowSpec(0, time(13), time(17)),
        WindowSpec(4, time(22), time(2), True),
    ]
    assert Membership.objects.get(user=user).roles == ["reviewer"]
    assert client.get("/me/duties/").status_code == 200  # logged in


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a time zone we know"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password2": "something else entirely"}, "password2", "differ"),
        ({"country": "XX"}, "country", "valid choice"),
        ({"github_login": "-bad-"}, "github_login", "GitHub login"),
        ({"email": ""}, "email", "required"),
        ({"display_name": "Priya\r\nBcc: all@example.org"}, "display_name", "control"),
        ({"display_name": "Priya\u2028Bcc"}, "display_name", "control"),
        ({"display_name": "Pri\x1b[31mya"}, "display_name", "control"),
    ],
)
def test_signup_shows_field_errors_for_bad_input(
    client: Client, overrides: dict[str, str], field: str, message: str
) -> None:
    response = client.post("/signup/", signup_data(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.filter(username="priya").exists()


def test_signup_refuses_overlapping_and_inverted_working_hours(client: Client) -> None:
    data = signup_data()
    data.update(hours_data([(0, "09:00", "13:00", False), (0, "12:00", "18:00", False)]))
    response = client.post("/signup/", data)
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()
    data.update(hours_data([(1, "17:00", "09:00", False)]))
    response = client.post("/signup/", data)
    assert response.status_code == 400
    assert "ends next day" in response.context["hours"].forms[0].errors["end"][0]


def test_a_working_hours_row_with_times_but_no_day_asks_for_a_day_instead_of_saving_monday(
    client: Client,
) -> None:
    data = signup_data()
    data.update(hours_data([(1, "09:00", "17:00", False)]))
    data["hours-0-weekday"] = ""
    response = client.post("/signup/", data)
    assert response.status_code == 400
    assert response.context["hours"].forms[0].errors["weekday"] == ["Choose a day."]
    assert not User.objects.filter(username="priya").exists()


def test_signup_refuses_a_taken_username_and_a_private_rota(client: Client) -> None:
    make_user("priya")
    response = client.post("/signup/", signup_data())
    assert response.status_code == 400 and "taken" in response.context["form"].errors["username"][0]
    secret = Rota.objects.create(
        name="Secret", slug="secret", kind=RotaKind.TRIAGE, is_public=False
    )
    response = client.post("/signup/", signup_data(username="p2", roles=[f"{secret.pk}:triager"]))
    assert response.status_code == 400 and not User.objects.filter(username="p2").exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"username": ["a", "b"]}, {"hours-TOTAL_FORMS": "x"}, {"roles": "abc"}],
)
def test_signup_garbage_never_gives_a_server_error(client: Client, data: dict) -> None:
    assert client.post("/signup/", data).status_code == 400


def test_logging_in_and_out_uses_our_pages_and_logout_needs_a_post(
    client: Client, volunteer: User
) -> None:
    page = client.get("/login/")
    assert page.status_code == 200 and 'name="username"' in page.content.decode()
    response = client.post("/login/", {"username": "vera", "password": "correct horse 42"})
    assert response.status_code == 302
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/me/duties/").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(
    client: Client, volunteer: User
) -> None:
    response = client.post("/password/reset/", {"email": volunteer.email})
    assert response.status_code == 302 and len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    new = "another fine passphrase 7"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password(new)


def test_profile_needs_login(client: Client) -> None:
    assert client.get("/me/profile/").status_code == 302


def profile_data(user: User, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "display_name": user.display_name,
        "github_login": user.github_login,
        "time_zone": user.time_zone,
        "country": user.country,
        "organisation": user.organisation,
        **hours_data([(d, "09:00", "17:00", False) for d in range(5)]),
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_saving_the_profile_replans_and_shows_my_changed_duties_in_local_time(
    client: Client, member: Membership, outsider: User
) -> None:
    from rota.rotas.planning import rota_plan

    Membership.objects.create(user=outsider, rota=member.rota, roles=["reviewer"])
    for i in range(3):
        other = make_user(f"p{i}", time_zone="Europe/London", country="GB", organisation=f"o{i}")
        Membership.objects.create(user=other, rota=member.rota, roles=["reviewer"])
    rota_plan(member.rota.pk, now=NOW)
    client.force_login(member.user)
    data = profile_data(member.user, time_zone="Asia/Tokyo", count_public_holidays="on")
    data.update(hours_data([(5, "10:00", "11:00", False)]))  # Saturday only: fewer duties
    response = client.post("/me/profile/", data, follow=True)
    assert response.redirect_chain == [("/me/profile/", 303)]
    assert response.status_code == 200
    member.user.refresh_from_db()
    assert member.user.time_zone == "Asia/Tokyo" and member.user.count_public_holidays
    changes = response.context["changes"]
    assert changes is not None
    html = response.content.decode()
    assert "What changed in your upcoming duties" in html
    if changes:
        assert "your time (Asia/Tokyo)" in html
        assert all(c["person"] == member.user.pk for c in changes)
        assert all(isinstance(c["starts_at"], datetime) for c in changes)


@time_machine.travel(NOW, tick=False)
def test_refreshing_the_profile_after_saving_no_longer_shows_the_change_list(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    response = client.post("/me/profile/", profile_data(volunteer, display_name="Vera V."))
    assert response.status_code == 303 and response["Location"] == "/me/profile/"
    assert "What changed in your upcoming duties" in client.get("/me/profile/").content.decode()
    refreshed = client.get("/me/profile/")
    assert refreshed.status_code == 200
    assert "What changed in your upcoming duties" not in refreshed.content.decode()
    assert 'value="Vera V."' in refreshed.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_replan_that_could_not_run_is_still_told_once_after_the_redirect(
    client: Client, volunteer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rota.rotas import services

    monkeypatch.setattr(services, "person_replan", lambda *args, **kwargs: None)
    client.force_login(volunteer)
    response = client.post("/me/profile/", profile_data(volunteer), follow=True)
    assert "could not be re-planned just now" in response.content.decode()
    assert "could not be re-planned" not in client.get("/me/profile/").content.decode()


def test_the_change_list_kept_for_one_page_is_not_shown_on_another(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    client.post("/me/profile/", profile_data(volunteer))
    assert "What changed" not in client.get("/me/time-off/").content.decode()
    assert "What changed" not in client.get("/me/profile/").content.decode()


def test_profile_shows_field_errors_and_keeps_the_old_values(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    response = client.post("/me/profile/", profile_data(volunteer, time_zone="Nowhere/Land"))
    assert response.status_code == 400 and "time_zone" in response.context["form"].errors
    volunteer.refresh_from_db()
    assert volunteer.time_zone == "Asia/Kolkata"
    assert client.post("/me/profile/", {}).status_code == 400


@time_machine.travel(datetime(2029, 11, 2, 12, tzinfo=UTC), tick=False)
def test_time_off_is_added_with_date_pickers_and_refused_when_it_ends_before_it_starts(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    page = client.get("/me/time-off/").content.decode()
    assert page.count('type="date"') == 2
    bad = client.post("/me/time-off/", {"start": "2030-05-10", "end": "2030-05-01"})
    assert bad.status_code == 400 and "on or after" in bad.context["form"].errors["end"][0]
    assert client.post("/me/time-off/", {"start": "yesterday", "end": ""}).status_code == 400
    ok = client.post(
        "/me/time-off/", {"start": "2030-05-01", "end": "2030-05-10", "note": "x"}, follow=True
    )
    assert ok.redirect_chain == [("/me/time-off/", 303)]
    assert ok.status_code == 200 and "None of your upcoming duties changed" in ok.content.decode()
    assert "10 May 2030" in ok.content.decode()  # listed among the upcoming time off
    assert TimeOff.objects.get(user=volunteer).end == date(2030, 5, 10)
    refreshed = client.get("/me/time-off/").content.decode()
    assert "None of your upcoming duties changed" not in refreshed and "10 May 2030" in refreshed
    assert TimeOff.objects.filter(user=volunteer).count() == 1


def test_i_can_remove_my_time_off_but_not_someone_elses(
    client: Client, volunteer: User, outsider: User
) -> None:
    mine = TimeOff.objects.create(user=volunteer, start=date(2030, 1, 1), end=date(2030, 1, 2))
    theirs = TimeOff.objects.create(user=outsider, start=date(2030, 1, 1), end=date(2030, 1, 2))
    client.force_login(volunteer)
    assert client.post("/me/time-off/remove/", {"id": theirs.pk}).status_code == 404
    assert client.post("/me/time-off/remove/", {"id": "abc"}).status_code == 404
    assert client.post("/me/time-off/remove/", {"id": 999999}).status_code == 404
    assert client.post("/me/time-off/remove/", {}).status_code == 404
    assert client.get("/me/time-off/remove/").status_code == 405
    removed = client.post("/me/time-off/remove/", {"id": mine.pk}, follow=True)
    assert removed.redirect_chain == [("/me/time-off/", 303)]
    assert "What changed in your upcoming duties" in removed.content.decode()
    assert list(TimeOff.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert "What changed" not in client.get("/me/time-off/").content.decode()


def test_forms_are_protected_by_csrf(volunteer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer)
    response = client.post("/me/time-off/", {"start": "2030-01-01", "end": "2030-01-02"})
    assert response.status_code == 403
    assert Client(enforce_csrf_checks=True).post("/signup/", signup_data()).status_code == 403


@time_machine.travel(datetime(2026, 3, 5, 2, tzinfo=UTC), tick=False)
def test_time_off_ending_today_stays_listed_in_los_angeles_after_utc_midnight(
    client: Client,
) -> None:
    angelena = make_user("lena", time_zone="America/Los_Angeles", country="US")
    TimeOff.objects.create(user=angelena, start=date(2026, 3, 2), end=date(2026, 3, 4))
    client.force_login(angelena)  # 18:00 on Wednesday 4 March in Los Angeles
    assert "Wed 4 Mar 2026" in client.get("/me/time-off/").content.decode()


def test_the_spare_working_hours_row_has_no_day_chosen_instead_of_looking_like_monday(
    client: Client,
) -> None:
    html = client.get("/signup/").content.decode()
    rows = html.split('<div class="hours-row')[2:]  # after the rows' container
    assert len(rows) == 7  # Monday to Friday, the spare row, and the row "Add a window" copies
    assert all(" is-empty" not in row[:20] for row in rows[:5])
    for spare in rows[5:]:
        assert spare.startswith(" is-empty")
        assert '<option value="" selected>Choose a day</option>' in spare
        assert "selected>Monday" not in spare
    assert '<option value="0" selected>Monday</option>' in rows[0]


def test_the_error_summary_links_to_every_field_in_error_including_working_hours_rows(
    client: Client,
) -> None:
    data = signup_data(email="", time_zone="Mars/Olympus")
    data.update(hours_data([(1, "09:00", "17:00", False)]))
    data["hours-0-weekday"] = ""
    html = client.post("/signup/", data).content.decode()
    summary = html[
        html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))
    ]
    assert 'role="alert" tabindex="-1" data-error-summary' in html  # rota.js focuses it
    assert '<a href="#id_email">E-mail address: This field is required.</a>' in summary
    assert '<a href="#id_time_zone">Time zone:' in summary
    assert '<a href="#id_hours-0-weekday">Working hours, row 1, Day: Choose a day.</a>' in summary
    assert 'id="id_hours-0-weekday" aria-invalid="true"' in html


@time_machine.travel(NOW, tick=False)
def test_giving_half_a_share_is_saved_and_said_in_plain_words(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    data = profile_data(volunteer, duty_share="half", max_duties_per_quarter="2")
    response = client.post("/me/profile/", data, follow=True)
    assert response.redirect_chain == [("/me/profile/", 303)]
    volunteer.refresh_from_db()
    assert (volunteer.duty_share, volunteer.max_duties_per_quarter) == ("half", 2)
    html = response.content.decode()
    assert "You give half a share" in html
    assert "at most 2 duties in any 13 weeks" in html


@time_machine.travel(NOW, tick=False)
def test_my_limits_across_rotas_are_saved_said_in_plain_words_and_reach_the_planner(
    client: Client, member: Membership
) -> None:
    from rota.rotas.planning import problem_for_rota

    client.force_login(member.user)
    half = profile_data(member.user, most_duties="3")
    refused = client.post("/me/profile/", half)
    assert refused.status_code == 400 and "or neither" in refused.content.decode()
    data = profile_data(
        member.user,
        any_duty_every_weeks="3",
        most_duties="4",
        most_duties_weeks="12",
        min_rest_hours="48",
    )
    saved = client.post("/me/profile/", data, follow=True)
    html = saved.content.decode()
    assert "At most one duty of any kind every 3 weeks." in html
    assert "At most 4 duties in any 12 weeks." in html
    assert "At least 48 hours between two duties." in html
    problem, _, _ = problem_for_rota(member.rota, NOW)
    limits = next(p for p in problem.people if p.id == str(member.user.pk)).limits
    assert (limits.min_weeks_between, limits.max_duties, limits.per_weeks) == (3, 4, 12)
    assert limits.min_rest.total_seconds() == 48 * 3600
