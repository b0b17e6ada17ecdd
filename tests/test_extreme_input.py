"""Extreme input: dates at the ends of the calendar, broken stored data, control characters.

Every place a person types a date refuses one outside a sensible range with a field error,
and planning never lets one person's broken data stop everyone else's plan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.models import TimeOff, User
from rota.rotas.models import Membership, PlanRun, PlanRunStatus, Release, Rota, RotaKind
from rota.rotas.planning import rota_plan
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


@pytest.fixture
def admin_client(client: Client, django_user_model: type[User]) -> Client:
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2026-12-05", "9999-12-31", "end", "between 2000-01-01 and 2099-12-31"),
        ("0001-01-01", "2026-12-10", "start", "between 2000-01-01 and 2099-12-31"),
        ("2024-12-05", "2026-12-10", "start", "at most a year ago"),
        ("2026-12-05", "2099-12-31", "end", "up to three years ahead"),
        ("1999-12-31", "2026-12-10", "start", "between 2000-01-01 and 2099-12-31"),
        ("2026-12-05", "10000-01-01", "end", "valid date"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_time_off_at_the_ends_of_the_calendar_gets_a_field_error_and_is_not_saved(
    client: Client, volunteer: User, start: str, end: str, field: str, message: str
) -> None:
    client.force_login(volunteer)
    response = client.post("/me/time-off", {"start": start, "end": end})
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not TimeOff.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_time_off_date_pickers_offer_only_the_allowed_range(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    page = client.get("/me/time-off").content.decode()
    assert 'min="2025-12-03"' in page and 'max="2029-12-06"' in page


def test_the_model_and_the_database_refuse_time_off_outside_the_supported_dates(
    volunteer: User,
) -> None:
    entry = TimeOff(user=volunteer, start=date(2026, 12, 5), end=date(9999, 12, 31))
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "end" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeOff.objects.create(user=volunteer, start=date(1, 1, 1), end=date(2026, 12, 5))


def test_the_admin_refuses_a_release_in_year_9999_with_a_field_error(
    admin_client: Client,
) -> None:
    rota = Rota.objects.create(name="Releases", slug="releases", kind=RotaKind.RELEASE)
    response = admin_client.post(
        "/admin/rotas/release/add/", {"rota": rota.pk, "version": "4.0", "date": "9999-12-31"}
    )
    assert response.status_code == 200
    assert "between 2000-01-01 and 2099-12-31" in response.content.decode()
    assert not Release.objects.exists()


def test_the_admin_refuses_time_off_in_year_1(admin_client: Client, volunteer: User) -> None:
    from tests.accounts.test_admin import _inline_data, _user_data

    data = _user_data(volunteer) | _inline_data(volunteer, [])
    data |= {
        "time_off-TOTAL_FORMS": "1",
        "time_off-0-user": str(volunteer.pk),
        "time_off-0-start": "0001-01-01",
        "time_off-0-end": "2026-12-31",
    }
    response = admin_client.post(f"/admin/accounts/user/{volunteer.pk}/change/", data)
    assert response.status_code == 200
    assert "between 2000-01-01 and 2099-12-31" in response.content.decode()
    assert not TimeOff.objects.exists()


@pytest.fixture
def community(review_rota: Rota) -> list[User]:
    people = [
        make_user("asha", time_zone="Asia/Kolkata", country="IN", organisation="Intel"),
        make_user("carl", time_zone="Europe/Berlin", country="DE", organisation="Red Hat"),
        make_user("dana", time_zone="America/New_York", country="US", organisation="IBM"),
        make_user("eli", time_zone="Australia/Sydney", country="AU"),
    ]
    for person in people:
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
    review_rota.horizon_weeks = 8
    review_rota.save()
    return people


def test_time_off_to_the_last_supported_day_still_plans_the_rota_and_serves_every_page(
    client: Client, community: list[User], review_rota: Rota
) -> None:
    asha = community[0]
    TimeOff.objects.create(user=asha, start=NOW.date(), end=date(2099, 12, 31))
    TimeOff.objects.create(user=community[1], start=date(2000, 1, 1), end=NOW.date())
    outcome = rota_plan(review_rota.pk, now=NOW)
    assert outcome.outcome.startswith("applied") and outcome.run is not None
    assert outcome.run.problems == []
    later = review_rota.shifts.filter(starts_at__gt=NOW, assignments__person=asha)
    assert not later.exists()  # she is away from today on
    duty = make_duty(make_shift(review_rota, NOW + timedelta(days=5)), community[2])
    for person, url in [
        (asha, "/me/duties"),
        (community[2], f"/swaps/new?duty={duty.pk}"),
        (community[2], "/swaps"),
        (asha, "/me/time-off"),
        (asha, f"/rotas/{review_rota.slug}"),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == 200, url


def test_one_persons_broken_data_leaves_them_out_and_names_them_while_the_rest_is_planned(
    community: list[User], review_rota: Rota
) -> None:
    # A zone that tzdata no longer knows (stored before validation, or removed upstream).
    User.objects.filter(pk=community[0].pk).update(time_zone="Mars/Olympus_Mons")
    outcome = rota_plan(review_rota.pk, now=NOW)
    run = PlanRun.objects.get()
    assert run.status == PlanRunStatus.APPLIED
    assert [p["person"] for p in run.problems] == [community[0].pk]
    assert "Mars/Olympus_Mons" in run.problems[0]["reason"]
    assert "1 people left out" in outcome.outcome
    planned = set(review_rota.shifts.values_list("assignments__person", flat=True))
    assert community[0].pk not in planned
    assert {p.pk for p in community[1:]} <= planned


def test_organisation_and_names_refuse_control_and_bidirectional_characters(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    page = client.get("/me/profile")
    assert page.status_code == 200
    for bad in ["Intel\u202eevil", "Intel\nBcc: x@example.org", "Red\u2066Hat", "A\x00B"]:
        volunteer.organisation = bad
        with pytest.raises(ValidationError) as error:
            volunteer.full_clean(exclude=["password"])
        assert "organisation" in error.value.message_dict
    volunteer.organisation, volunteer.first_name = "Intel", "Vera\u202e"
    with pytest.raises(ValidationError) as error:
        volunteer.full_clean(exclude=["password"])
    assert "first_name" in error.value.message_dict


def test_time_off_notes_and_swap_messages_refuse_hidden_characters() -> None:
    from rota.rotas.forms import SwapRequestForm

    form = SwapRequestForm(
        {"duty": "1", "message": "see you\u202e soon"}, duties=[], candidates=[], zone="UTC"
    )
    assert not form.is_valid() and "message" in form.errors
    ok = SwapRequestForm(
        {"duty": "1", "message": "line one\nline two"}, duties=[], candidates=[], zone="UTC"
    )
    ok.is_valid()
    assert "message" not in ok.errors


def test_an_invalid_working_hours_day_is_named_next_to_the_field(
    client: Client, volunteer: User
) -> None:
    client.force_login(volunteer)
    data = {
        "email": volunteer.email,
        "time_zone": volunteer.time_zone,
        "country": volunteer.country,
        "organisation": volunteer.organisation,
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "40",
        "hours-0-weekday": "9",
        "hours-0-start": "09:00",
        "hours-0-end": "17:00",
    }
    response = client.post("/me/profile", data)
    assert response.status_code == 400
    assert "Select a valid choice. 9 is not one of the available choices." in (
        response.content.decode()
    )
    assert volunteer.working_hours.count() == 5
