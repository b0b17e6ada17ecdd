"""Auth: personal tokens (hashed, shown once, last use, revocation), sessions, throttles."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from rota.api import throttling
from rota.rotas.models import Rota

pytestmark = pytest.mark.django_db


def test_a_token_calls_the_api_as_its_person_and_records_its_use(volunteer: User) -> None:
    token, plain = api_token_create(volunteer, "bot")
    assert token.token_hash != plain and plain not in str(ApiToken.objects.values())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/v1/me/").json()["username"] == "vera"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_stops_working_at_once(volunteer: User) -> None:
    token, plain = api_token_create(volunteer, "bot")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/v1/me/").status_code == 200
    web = Client()
    web.force_login(volunteer)
    assert web.post("/me/api-tokens/revoke/", {"id": token.pk}).status_code == 302
    answer = client.get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Bearer a b", "Token \xff"])
def test_a_bad_token_is_a_401_not_an_anonymous_read(header: str, review_rota: Rota) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/rotas/").status_code == 401


def test_the_profile_page_creates_a_token_and_shows_it_once(volunteer: User) -> None:
    web = Client()
    web.force_login(volunteer)
    created = web.post("/me/api-tokens/new/", {"name": "triage bot"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    plain = created.context["plain"]
    assert plain.startswith("rota_")
    profile = web.get("/me/profile/")
    assert "triage bot" in profile.content.decode() and plain not in profile.content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert client.get("/api/v1/me/").status_code == 200


def test_nobody_revokes_someone_elses_token(volunteer: User, outsider: User) -> None:
    token, _plain = api_token_create(volunteer, "bot")
    web = Client()
    web.force_login(outsider)
    assert web.post("/me/api-tokens/revoke/", {"id": token.pk}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_browsable_api_works_with_the_session(volunteer: User) -> None:
    web = Client()
    web.force_login(volunteer)
    answer = web.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert answer.status_code == 200 and b"vera" in answer.content


def test_each_address_is_throttled(
    monkeypatch: pytest.MonkeyPatch, anonymous: APIClient, review_rota: Rota
) -> None:
    monkeypatch.setattr(throttling.CallerThrottle, "rates", {"user": "", "address": "3/min"})
    codes = [anonymous.get("/api/v1/rotas/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_each_person_is_throttled_wherever_they_call_from(
    monkeypatch: pytest.MonkeyPatch, as_volunteer: APIClient
) -> None:
    monkeypatch.setattr(throttling.CallerThrottle, "rates", {"user": "2/min", "address": ""})
    codes = [
        as_volunteer.get("/api/v1/me/", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_cache_that_is_down_lets_requests_through(
    monkeypatch: pytest.MonkeyPatch, anonymous: APIClient, review_rota: Rota, settings: Any
) -> None:
    monkeypatch.setattr(throttling.CallerThrottle, "rates", {"user": "1/min", "address": "1/min"})
    settings.CACHES = {  # nothing listens on port 1: every count fails at once
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    codes = [anonymous.get("/api/v1/rotas/").status_code for _ in range(3)]
    assert codes == [200, 200, 200]


def test_a_throttled_caller_is_told_when_to_come_back(
    monkeypatch: pytest.MonkeyPatch, anonymous: APIClient, review_rota: Rota
) -> None:
    monkeypatch.setattr(throttling.CallerThrottle, "rates", {"user": "", "address": "1/min"})
    assert anonymous.get("/api/v1/rotas/").status_code == 200
    refused = anonymous.get("/api/v1/rotas/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address has its own window.
    assert anonymous.get("/api/v1/rotas/", REMOTE_ADDR="10.9.9.9").status_code == 200


def test_the_api_description_and_its_docs_are_served_locally(anonymous: APIClient) -> None:
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/rotas/{slug}/on-duty/" in schema.json()["paths"]
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower() and "/static/drf_spectacular_sidecar/" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_an_admin_sees_tokens_without_their_value_and_can_revoke_one(volunteer: User) -> None:
    token, plain = api_token_create(volunteer, "bot")
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw")
    web = Client()
    web.force_login(admin)
    listed = web.get("/admin/accounts/apitoken/")
    assert listed.status_code == 200 and "bot" in listed.content.decode()
    assert plain not in listed.content.decode()
    assert web.get("/admin/accounts/apitoken/add/").status_code == 403
    changed = web.post(
        f"/admin/accounts/apitoken/{token.pk}/change/",
        {"revoked_at_0": "2026-03-04", "revoked_at_1": "12:00:00"},
    )
    assert changed.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
