"""Sending a notice exactly once.

`notice_deliver` stores (or finds) the notice's unique row, claims it with a conditional update
and only then sends. A second run of the same task finds it sent or claimed and sends nothing;
a failed send releases the claim and counts the attempt, so the task's retry (with backoff)
sends again, until NOTICE_MAX_ATTEMPTS, when the notice is marked failed for the managers.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from rota.notifications.channels import Message, channel_named
from rota.notifications.models import Notice, NoticeStatus
from rota.notifications.preferences import notice_wanted, preferences_url, unsubscribe_url

# Matches the tasks' max_retries + 1: the last try that fails marks the notice failed.
NOTICE_MAX_ATTEMPTS = 6


class Delivery(enum.StrEnum):
    SENT = "sent"
    ALREADY = "already"  # sent, failed for good, or being sent by another run
    MUTED = "muted"  # the person opted out of this kind
    UNREACHABLE = "unreachable"  # no address, or a deleted account
    RETRY = "retry"  # failed now; the task retries
    FAILED = "failed"  # failed for the last time


def one_line(text: str) -> str:
    """A subject is one header line: a newline would end the header and start another."""
    return " ".join(text.split())


def _notice_row(recipient: User, kind: str, subject: str, rota_id: int | None) -> Notice:
    try:
        with transaction.atomic():
            notice, _ = Notice.objects.get_or_create(
                recipient=recipient, kind=kind, subject=subject, defaults={"rota_id": rota_id}
            )
    except IntegrityError:  # another run created it between our read and write
        notice = Notice.objects.get(recipient=recipient, kind=kind, subject=subject)
    return notice


def notice_deliver(
    recipient: User,
    kind: str,
    subject: str,
    *,
    template: str,
    context: dict[str, Any],
    rota_id: int | None = None,
    now: datetime | None = None,
) -> Delivery:
    """Send one notice of `kind` about `subject` to `recipient`, once.

    `template` names emails/<template>_subject.txt and emails/<template>_body.txt.
    """
    now = now or timezone.now()
    if not recipient.is_active or not recipient.email:
        return Delivery.UNREACHABLE
    if not notice_wanted(recipient.pk, kind):
        return Delivery.MUTED
    notice = _notice_row(recipient, kind, subject, rota_id)
    if notice.status != NoticeStatus.PENDING:
        return Delivery.ALREADY
    # Rendered before the claim: a template that fails must not leave a claim behind.
    personal = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "preferences_url": preferences_url(recipient.pk),
    }
    message = Message(
        address=recipient.email,
        subject=one_line(render_to_string(f"emails/{template}_subject.txt", personal)),
        body=render_to_string(f"emails/{template}_body.txt", personal),
        unsubscribe_url=unsubscribe_url(recipient.pk, kind),
        preferences_url=personal["preferences_url"],
    )
    claimed = Notice.objects.filter(
        pk=notice.pk, status=NoticeStatus.PENDING, claimed_at__isnull=True
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return Delivery.ALREADY
    attempts = Notice.objects.values_list("attempts", flat=True).get(pk=notice.pk)
    try:
        channel_named(notice.channel).send(message)
    except OSError as exc:
        last = attempts >= NOTICE_MAX_ATTEMPTS
        Notice.objects.filter(pk=notice.pk).update(
            claimed_at=None,
            status=NoticeStatus.FAILED if last else NoticeStatus.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        return Delivery.FAILED if last else Delivery.RETRY
    Notice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return Delivery.SENT


class NoticesToRetry(OSError):
    """Some notices of a task failed for now; Celery retries the task with backoff and the
    retry reaches only those not yet sent."""


def deliveries_outcome(what: str, results: list[Delivery]) -> str:
    """The task's outcome string; raises NoticesToRetry when any notice should be retried."""
    counts = {d: results.count(d) for d in Delivery if results.count(d)}
    text = f"{what}: " + (", ".join(f"{n} {d.value}" for d, n in counts.items()) or "nobody")
    if Delivery.RETRY in counts:
        raise NoticesToRetry(text)
    return text
