"""The GitHub client against the stand-in: App authentication and what every call carries."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from rota.github import client
from rota.github.client import Credentials, GitHubUnavailable
from rota.github.models import AuthKind, Repository
from rota.github.services import credentials_for
from tests.github.standin import Reply, StandIn


@pytest.fixture
def app_repository(repository: Repository) -> Repository:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    repository.auth_kind = AuthKind.APP
    repository.app_id = 1234
    repository.installation_id = 42
    repository.secrets_set(private_key=pem)
    repository.save()
    return repository


def test_an_app_installation_token_is_made_once_and_reused_until_it_expires(
    app_repository: Repository, standin: StandIn
) -> None:
    credentials = credentials_for(app_repository)
    client.pull_request_files_list(credentials, app_repository.full_name, 2)
    client.pull_request_reviewers_request(
        credentials, app_repository.full_name, 2, reviewers=["octocat"]
    )
    (token_call,) = standin.calls("token")
    assert token_call.path == "/app/installations/42/access_tokens"
    assertion = token_call.headers["authorization"].removeprefix("Bearer ")
    assert jwt.decode(assertion, options={"verify_signature": False})["iss"] in ("1234", 1234)
    others = [s for s in standin.seen if s is not token_call]
    assert {s.headers["authorization"] for s in others} == {"token ghs_standin"}


def test_every_call_sends_githubs_media_type_and_api_version(
    repository: Repository, standin: StandIn
) -> None:
    client.pull_request_files_list(credentials_for(repository), repository.full_name, 2)
    (call,) = standin.seen
    assert call.headers["accept"] == "application/vnd.github+json"
    assert call.headers["x-github-api-version"]
    assert call.query == {"per_page": ["100"], "page": ["1"]}


def test_a_5xx_is_an_outage_not_a_refusal(repository: Repository, standin: StandIn) -> None:
    standin.replies["files"].append(Reply(500, {"message": "Server Error"}))
    with pytest.raises(GitHubUnavailable):
        client.pull_request_files_list(credentials_for(repository), repository.full_name, 2)


def test_an_unreachable_github_is_an_outage(settings: object) -> None:
    settings.GITHUB_API_URL = "http://127.0.0.1:9"  # type: ignore[attr-defined]
    with pytest.raises(GitHubUnavailable):
        client.pull_request_files_list(Credentials(key="t", token="x"), "a/b", 1)


def test_a_cache_outage_does_not_stop_calls_to_github(
    app_repository: Repository, standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redis.exceptions import ConnectionError as RedisDown

    def down(*args: object, **kwargs: object) -> None:
        raise RedisDown("Redis is away")

    monkeypatch.setattr(client.cache, "get", down)
    monkeypatch.setattr(client.cache, "set", down)
    assert client.pull_request_files_list(
        credentials_for(app_repository), app_repository.full_name, 2
    ) == ["README.md"]
