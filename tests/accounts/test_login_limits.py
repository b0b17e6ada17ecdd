"""Brute force: wrong passwords lock out an account and an address for a while (django-axes);
password-reset e-mails are limited per address asked for and per client (django-ratelimit)."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5


def login(client: Client, username: str, password: str, address: str = "198.51.100.7"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_lock_the_account_with_a_clear_message_even_for_the_right_one(
    client: Client, volunteer: User
) -> None:
    for _ in range(4):
        assert login(client, "vera", "wrong").status_code == 200  # the form, with its error
    locked = login(client, "vera", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # Even the right password waits out the pause, from another address too.
    assert login(client, "vera", "correct horse 42", address="203.0.113.9").status_code == 429


def test_one_address_trying_many_accounts_is_locked_out_too(
    client: Client, volunteer: User, outsider: User
) -> None:
    for name in ["a", "b", "c", "d", "e"]:
        login(client, name, "guess")
    assert login(client, "otto", "correct horse 42").status_code == 429
    # Others, elsewhere, are not affected.
    assert login(Client(), "otto", "correct horse 42", address="203.0.113.9").status_code == 302


def test_a_successful_login_clears_earlier_failures(client: Client, volunteer: User) -> None:
    for _ in range(4):
        login(client, "vera", "wrong")
    assert login(client, "vera", "correct horse 42").status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "vera", "wrong").status_code == 200


def test_the_admin_login_is_limited_too(client: Client, django_user_model) -> None:
    django_user_model.objects.create_superuser("boss", "boss@example.org", "right-pass-9")
    for _ in range(5):
        client.post(
            "/admin/login/", {"username": "boss", "password": "x"}, REMOTE_ADDR="198.51.100.8"
        )
    response = client.post(
        "/admin/login/",
        {"username": "boss", "password": "right-pass-9"},
        REMOTE_ADDR="198.51.100.8",
    )
    assert response.status_code == 429


def test_password_reset_mails_one_address_at_most_three_times_an_hour(
    client: Client, volunteer: User
) -> None:
    answers = [
        client.post("/password/reset", {"email": "VERA@example.org "}).status_code for _ in range(5)
    ]
    assert answers == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    page = client.post("/password/reset", {"email": "vera@example.org"})
    assert "Too many password-reset e-mails" in page.content.decode()


def test_password_reset_from_one_client_is_limited_across_addresses(
    client: Client, settings
) -> None:
    settings.ROTA_PASSWORD_RESET_RATE_PER_CLIENT = "4/h"
    answers = [
        client.post(
            "/password/reset", {"email": f"n{i}@example.org"}, REMOTE_ADDR="198.51.100.9"
        ).status_code
        for i in range(6)
    ]
    assert answers == [302, 302, 302, 302, 429, 429]


def test_feed_tokens_never_reach_the_logs(client: Client, caplog) -> None:
    token = "Zx9" * 15
    stream_records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            stream_records.append(self.format(record))

    from rota.log_redaction import FeedTokenRedaction

    keep = Keep()
    keep.addFilter(FeedTokenRedaction())
    logging.getLogger("django.request").addHandler(keep)
    try:
        assert client.get(f"/feeds/me/{token}.ics").status_code == 404
        assert client.get(f"/feeds/rota/pr-review/{token}.ics").status_code == 404
    finally:
        logging.getLogger("django.request").removeHandler(keep)
    assert stream_records, "the 404s were logged"
    assert all(token not in line for line in stream_records)
    assert any("/feeds/me/<token>.ics" in line for line in stream_records)


def test_the_configured_console_handler_masks_feed_tokens() -> None:
    handler = next(h for h in logging.getLogger("django.request").handlers if h.filters)
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/feeds/me/" + "A1_-" * 10 + ".ics",),
        None,
    )
    for log_filter in handler.filters:
        log_filter.filter(record)
    assert record.getMessage() == "Not Found: /feeds/me/<token>.ics"
