import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    validate_country,
    validate_github_login,
    validate_time_zone,
    zones_for_country,
)


@pytest.mark.parametrize(
    "login", ["a", "octocat", "kata-containers-bot", "A1-b2-C3", "x" * 39, "0day"]
)
def test_github_logins_that_follow_githubs_rules_are_accepted(login):
    validate_github_login(login)


@pytest.mark.parametrize(
    "login", ["", "-lead", "trail-", "dou--ble", "x" * 40, "under_score", "dot.ted", "sp ace", "é"]
)
def test_github_logins_that_break_githubs_rules_are_refused(login):
    with pytest.raises(ValidationError):
        validate_github_login(login)


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"])
def test_iana_time_zones_are_accepted(zone):
    validate_time_zone(zone)


@pytest.mark.parametrize("zone", ["Mars/Base", "CEST", "+05:30", "europe/berlin", ""])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(ValidationError, match="not a time zone"):
        validate_time_zone(zone)


def test_countries_must_be_iso_3166_codes():
    validate_country("IN")
    with pytest.raises(ValidationError):
        validate_country("XX")
    with pytest.raises(ValidationError):
        validate_country("in")


def test_a_countrys_zones_come_from_the_country_table():
    assert "Australia/Sydney" in zones_for_country("AU")
    assert zones_for_country("IN") == ["Asia/Kolkata"]
    assert zones_for_country("XX") == []
