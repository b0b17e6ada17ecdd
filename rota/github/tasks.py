"""Celery tasks for GitHub: thin wrappers that take ids, claim their work and report.

Retry policy: GitHub's rate limits, 5xx answers, timeouts and a busy database are transient.
A delivery that meets one goes back to pending and its outbox row becomes due after the
delay GitHub asks for (at least a minute for rate limits) or an exponential backoff with
jitter; beat's outbox sweep sends it then. After settings.GITHUB_MAX_ATTEMPTS tries it is
marked failed and shown. Anything else (a 4xx GitHub will repeat, a bug) fails at once.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from rota.github.client import GitHubRateLimited, GitHubUnavailable

logger = logging.getLogger(__name__)

TRANSIENT = (GitHubRateLimited, GitHubUnavailable, OperationalError)


@shared_task(name="rota.github.tasks.delivery_process_task", acks_late=True)
def delivery_process_task(delivery_pk: int) -> str:
    """Process one stored delivery: request reviewers, or keep review load up to date.
    Safe to run twice: the delivery is claimed with a conditional update."""
    from rota.github.assignment import reviewers_assign
    from rota.github.models import Delivery, DeliveryStatus
    from rota.github.services import (
        ASSIGN_ACTIONS,
        delivery_claim,
        delivery_fail,
        delivery_finish,
        delivery_outbox_key,
        delivery_retry_later,
        load_event_apply,
        retry_delay,
    )
    from rota.rotas.outbox import outbox_begin, outbox_done

    now = timezone.now()
    key = delivery_outbox_key(delivery_pk)
    token = outbox_begin(key, now=now)
    delivery = delivery_claim(delivery_pk, now)
    if delivery is None:
        status = Delivery.objects.filter(pk=delivery_pk).values_list("status", flat=True).first()
        if status in (None, DeliveryStatus.DONE, DeliveryStatus.IGNORED, DeliveryStatus.FAILED):
            outbox_done(key, token)
            return f"delivery {delivery_pk}: already {status or 'gone'}"
        return f"delivery {delivery_pk}: another worker has it"
    try:
        if delivery.event == "pull_request" and delivery.action in ASSIGN_ACTIONS:
            outcome = reviewers_assign(delivery, now)
        else:
            outcome = load_event_apply(delivery, now)
    except TRANSIENT as exc:
        error = f"{type(exc).__name__}: {exc}"
        if delivery.attempts >= settings.GITHUB_MAX_ATTEMPTS:
            delivery_fail(delivery, f"gave up after {delivery.attempts} tries: {error}", token, now)
            return f"delivery {delivery_pk}: failed ({error})"
        delay = retry_delay(exc, delivery.attempts)
        delivery_retry_later(delivery, error, delay, now)
        return f"delivery {delivery_pk}: retry in {delay:.0f} s ({error})"
    except Exception as exc:  # a refusal GitHub will repeat, or a bug: never retried blindly
        logger.exception("GitHub delivery %s failed", delivery.delivery_id)
        delivery_fail(delivery, f"{type(exc).__name__}: {exc}", token, now)
        return f"delivery {delivery_pk}: failed ({type(exc).__name__})"
    delivery_finish(delivery, outcome, token, timezone.now())
    return f"delivery {delivery_pk}: {outcome}"


@shared_task(
    name="rota.github.tasks.silent_reviewers_task",
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def silent_reviewers_task() -> str:
    """Every quarter hour: follow up reviewers silent for N of their working hours."""
    from rota.github.assignment import silent_reviewers_follow_up

    return silent_reviewers_follow_up(timezone.now())


@shared_task(
    name="rota.github.tasks.triage_digests_task",
    autoretry_for=TRANSIENT,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
)
def triage_digests_task() -> str:
    """Weekly: each triage rota's digest of untriaged issues. Safe to run twice: a week's
    digest is one row, sent once."""
    from rota.github.triage import triage_digests_send

    return "; ".join(triage_digests_send(timezone.now())) or "no triage rotas with a repository"
