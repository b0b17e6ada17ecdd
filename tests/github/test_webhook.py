"""POST /github/webhook/: forged, replayed, oversized and malformed deliveries; recorded ones."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from rota.github.models import Delivery, DeliveryStatus, Repository
from rota.github.signatures import signature_for, signature_valid
from rota.rotas.models import OutboxTask
from tests.github.conftest import SECRET, deliver
from tests.github.described import payload, payload_errors

WEBHOOKS = {
    "pull_request.opened": "pull-request-opened",
    "pull_request.reopened": "pull-request-reopened",
    "pull_request.ready_for_review": "pull-request-ready-for-review",
    "pull_request.closed": "pull-request-closed",
    "pull_request.review_requested": "pull-request-review-requested",
    "pull_request.review_request_removed": "pull-request-review-request-removed",
    "pull_request_review.submitted": "pull-request-review-submitted",
}


def test_signature_matches_githubs_documented_test_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signature_for("It's a Secret to Everybody", b"Hello, World!") == expected
    assert signature_valid("It's a Secret to Everybody", b"Hello, World!", expected)
    assert not signature_valid("It's a Secret to Everybody", b"Hello, World?", expected)


def test_the_test_vector_passes_the_view_and_the_body_is_then_refused_as_not_json(
    client: Client, repository: Repository
) -> None:
    signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    response = deliver(client, "push", b"Hello, World!", signature=signature)
    assert response.status_code == 400  # authenticated, but not JSON
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("name", sorted(WEBHOOKS))
def test_recorded_payloads_fit_githubs_description(name: str) -> None:
    assert payload_errors(WEBHOOKS[name], payload(name)) == []


def test_a_delivery_without_a_signature_is_refused_with_401(
    client: Client, repository: Repository
) -> None:
    response = deliver(client, "pull_request", payload("pull_request.opened"), signature="")
    assert response.status_code == 401
    assert not Delivery.objects.exists()


def test_a_forged_signature_is_refused_with_401(client: Client, repository: Repository) -> None:
    response = deliver(client, "pull_request", payload("pull_request.opened"), secret="guess")
    assert response.status_code == 401
    assert not Delivery.objects.exists()
    assert not OutboxTask.objects.filter(key__startswith="github:").exists()


def test_a_body_changed_after_signing_is_refused(client: Client, repository: Repository) -> None:
    body = json.dumps(payload("pull_request.opened")).encode()
    signature = signature_for(SECRET, body)
    tampered = body.replace(b'"opened"', b'"closed"', 1)
    assert deliver(client, "pull_request", tampered, signature=signature).status_code == 401


def test_malformed_json_is_refused_with_400(client: Client, repository: Repository) -> None:
    assert deliver(client, "pull_request", b'{"action": "opened",').status_code == 400
    assert deliver(client, "pull_request", b"[1, 2]").status_code == 400
    assert not Delivery.objects.exists()


def test_a_delivery_over_githubs_25_mb_is_refused_with_413(
    client: Client, repository: Repository
) -> None:
    body = b'{"a": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    assert deliver(client, "pull_request", body).status_code == 413
    assert not Delivery.objects.exists()


def test_the_limit_refuses_a_larger_body_and_takes_a_smaller_one(
    client: Client, repository: Repository, settings: object
) -> None:
    settings.GITHUB_WEBHOOK_MAX_BYTES = 64  # type: ignore[attr-defined]
    assert deliver(client, "ping", b'{"zen": "' + b"y" * 60 + b'"}').status_code == 413
    assert deliver(client, "ping", b'{"zen": "short"}').status_code == 202


def test_a_pull_request_opened_is_stored_with_its_outbox_row_and_answered_202(
    client: Client, repository: Repository, sent_tasks: list[tuple[str, list[object], float]]
) -> None:
    response = deliver(client, "pull_request", payload("pull_request.opened"), "abc-1")
    assert response.status_code == 202
    delivery = Delivery.objects.get(delivery_id="abc-1")
    assert (delivery.event, delivery.action, delivery.status) == (
        "pull_request",
        "opened",
        DeliveryStatus.PENDING,
    )
    assert delivery.repository == repository
    assert OutboxTask.objects.filter(key=f"github:delivery:{delivery.pk}").exists()


def test_a_repeated_delivery_id_does_nothing_more(
    client: Client, repository: Repository, sent_tasks: list[tuple[str, list[object], float]]
) -> None:
    first = deliver(client, "pull_request", payload("pull_request.opened"), "same")
    again = deliver(client, "pull_request", payload("pull_request.opened"), "same")
    assert (first.status_code, again.status_code) == (202, 200)
    assert Delivery.objects.count() == 1
    assert OutboxTask.objects.filter(key__startswith="github:").count() == 1


@pytest.mark.parametrize(
    ("event", "name"),
    [("ping", "ping"), ("issues", "pull_request.opened"), ("pull_request", "pull_request.closed")],
)
def test_unknown_events_and_actions_are_acknowledged_and_ignored(
    client: Client, repository: Repository, event: str, name: str
) -> None:
    body = payload(name)
    if event == "pull_request":
        body = {**body, "action": "labeled"}
    response = deliver(client, event, body)
    assert response.status_code == 202
    assert Delivery.objects.get().status == DeliveryStatus.IGNORED
    assert not OutboxTask.objects.filter(key__startswith="github:").exists()


def test_a_delivery_about_another_repository_is_ignored(
    client: Client, repository: Repository
) -> None:
    body = payload("pull_request.opened")
    body["repository"] = {**body["repository"], "full_name": "someone/else"}
    assert deliver(client, "pull_request", body).status_code == 202
    assert Delivery.objects.get().status == DeliveryStatus.IGNORED


def test_headers_github_always_sends_are_required(client: Client, repository: Repository) -> None:
    body = json.dumps(payload("pull_request.opened")).encode()
    response = client.post(
        "/github/webhook/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature_for(SECRET, body),
        HTTP_X_GITHUB_EVENT="pull_request",
    )
    assert response.status_code == 400


def test_only_post_is_allowed(client: Client) -> None:
    assert client.get("/github/webhook/").status_code == 405
