from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.availability import WindowSpec, days_off_to_utc, overlapping_windows
from accounts.models import TimeOff, User, WorkingHours
from accounts.selectors import unavailable_intervals_for
from accounts.services import time_off_add, user_profile_update, working_hours_replace

pytestmark = pytest.mark.django_db


def test_a_new_user_full_clean_names_each_bad_field():
    user = User(
        username="x",
        email="x@example.org",
        time_zone="Mars/Base",
        github_login="-bad-",
        country="ZZ",
    )
    with pytest.raises(ValidationError) as error:
        user.full_clean(exclude=["password"])
    assert {"time_zone", "github_login", "country"} <= set(error.value.message_dict)


def test_github_logins_are_unique_regardless_of_case(volunteer):
    volunteer.github_login = "Octo-Cat"
    volunteer.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="other", email="o@example.org", github_login="octo-cat")


def test_organisation_is_normalised_and_independent_is_allowed(volunteer):
    volunteer.organisation = "  Red   Hat "
    volunteer.save()
    assert volunteer.organisation == "Red Hat"
    volunteer.organisation = ""
    volunteer.save()
    assert volunteer.organisation == "independent"


def test_time_off_ending_before_it_starts_is_refused_by_validation_and_database(volunteer):
    with pytest.raises(ValidationError) as error:
        time_off_add(volunteer, date(2026, 12, 10), date(2026, 12, 9))
    assert "end" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeOff.objects.create(user=volunteer, start=date(2026, 12, 10), end=date(2026, 12, 9))


def test_an_inverted_window_is_refused_unless_it_is_marked_overnight(volunteer):
    with pytest.raises(ValidationError) as error:
        working_hours_replace(volunteer, [WindowSpec(0, time(17), time(9))])
    assert "working_hours" in error.value.message_dict
    working_hours_replace(volunteer, [WindowSpec(0, time(22), time(6), ends_next_day=True)])
    assert [str(w) for w in volunteer.working_hours.all()] == ["Monday 22:00-06:00 (+1 day)"]
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(user=volunteer, weekday=1, start=time(17), end=time(9))


def test_overlapping_windows_are_refused_and_nothing_is_lost(volunteer):
    before = list(volunteer.working_hours.values_list("weekday", "start", "end"))
    with pytest.raises(ValidationError, match="overlaps"):
        working_hours_replace(
            volunteer, [WindowSpec(2, time(9), time(13)), WindowSpec(2, time(12), time(18))]
        )
    assert list(volunteer.working_hours.values_list("weekday", "start", "end")) == before


def test_a_sunday_night_window_overlaps_an_early_monday_window():
    sunday_night = WindowSpec(6, time(22), time(4), ends_next_day=True)
    monday_early = WindowSpec(0, time(3), time(7))
    [pair] = overlapping_windows([sunday_night, monday_early])
    assert set(pair) == {sunday_night, monday_early}


def test_several_windows_a_day_are_allowed(volunteer):
    working_hours_replace(
        volunteer, [WindowSpec(0, time(8), time(12)), WindowSpec(0, time(14), time(18))]
    )
    assert volunteer.working_hours.count() == 2


def test_a_day_off_in_kolkata_is_a_utc_interval_from_local_midnight():
    [(start, end)] = days_off_to_utc([(date(2026, 12, 1), date(2026, 12, 1))], "Asia/Kolkata")
    assert start.isoformat() == "2026-11-30T18:30:00+00:00"
    assert end.isoformat() == "2026-12-01T18:30:00+00:00"


def test_the_day_berlin_springs_forward_is_23_hours_off():
    [(start, end)] = days_off_to_utc([(date(2026, 3, 29), date(2026, 3, 29))], "Europe/Berlin")
    assert (end - start).total_seconds() == 23 * 3600


def test_public_holidays_count_as_time_off_only_when_chosen(volunteer):
    from datetime import UTC, datetime

    start, end = datetime(2027, 1, 20, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC)
    assert unavailable_intervals_for(volunteer, start, end) == []
    user_profile_update(volunteer, count_public_holidays=True)
    [(off_start, _)] = unavailable_intervals_for(volunteer, start, end)
    assert off_start.isoformat() == "2027-01-25T18:30:00+00:00"  # Republic Day, 26 January


def test_availability_for_many_people_matches_the_one_person_reading(volunteer, outsider):
    from datetime import UTC, datetime

    from accounts.selectors import availability_for_users

    user_profile_update(volunteer, count_public_holidays=True)
    time_off_add(volunteer, date(2027, 1, 4), date(2027, 1, 8))
    time_off_add(outsider, date(2027, 1, 30), date(2027, 2, 2))
    working_hours_replace(outsider, [WindowSpec(6, time(22), time(6), ends_next_day=True)])
    start, end = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)
    found = availability_for_users([volunteer.pk, outsider.pk], start, end)
    for person in (volunteer, outsider):
        person = User.objects.get(pk=person.pk)
        assert list(found[person.pk].unavailable) == unavailable_intervals_for(person, start, end)
        assert list(found[person.pk].windows) == sorted(w.spec for w in person.working_hours.all())
    assert len(found[volunteer.pk].unavailable) == 2  # the week off and Republic Day
