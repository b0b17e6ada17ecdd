from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rota.github.models import AuthKind, Repository
from rota.github.signatures import signature_for
from rota.rotas.models import Rota
from tests.github.standin import StandIn

SECRET = "It's a Secret to Everybody"
FULL_NAME = "Codertocat/Hello-World"  # the repository of GitHub's recorded payloads


@pytest.fixture
def standin(settings: Any) -> Iterator[StandIn]:
    server = StandIn().start()
    settings.GITHUB_API_URL = server.url
    settings.GITHUB_TIMEOUT_SECONDS = 2
    yield server
    server.stop()
    assert server.violations == [], "Rota sent requests GitHub does not describe"


@pytest.fixture
def repository(db: None, review_rota: Rota) -> Repository:
    repository = Repository(full_name=FULL_NAME, review_rota=review_rota, auth_kind=AuthKind.TOKEN)
    repository.secrets_set(webhook_secret=SECRET, token="github_pat_test")
    repository.save()
    return repository


def deliver(
    client: Client,
    event: str,
    payload: dict[str, Any] | bytes,
    delivery: str = "d-1",
    secret: str = SECRET,
    signature: str | None = None,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {
        "HTTP_X_GITHUB_EVENT": event,
        "HTTP_X_GITHUB_DELIVERY": delivery,
        "HTTP_X_HUB_SIGNATURE_256": signature
        if signature is not None
        else signature_for(secret, body),
    }
    return client.post("/github/webhook/", body, content_type="application/json", **headers)
