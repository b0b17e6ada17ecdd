"""The outbox: work that must happen survives a broker outage and a worker that dies.

A change that needs background work (a re-plan, a notice) writes an OutboxTask row in its own
transaction with `outbox_put`, claimed for a send in that transaction; after the commit the
Celery task is sent (`outbox_nudge` sends a pending row from anywhere else). The
broker is only a nudge: when it is away the send fails fast (short timeouts, no publish
retries, and a brief pause before the next attempt in this process), the caller carries on,
and `outbox_sweep`, run by beat every few seconds, sends whatever is due and not being worked
on. A task calls `outbox_begin` when it starts and `outbox_done` when its work is committed,
which deletes the row only if no newer change arrived meanwhile (the token still matches);
otherwise it nudges again so the newer change is handled too.

Tasks are idempotent, so the rare duplicate (a sweep that resends while a slow task still runs)
costs a little work and loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rota.rotas.models import OutboxTask

logger = logging.getLogger(__name__)

# After a failed send, this process stops trying the broker for a few seconds, so a page that
# would nudge several tasks waits for one timeout at most; the sweep catches up later.
BROKER_PAUSE_SECONDS = 10.0
_broker_down_until = 0.0
_broker_lock = threading.Lock()


class BrokerUnavailable(Exception):
    """The broker did not take the message; the outbox row stays for the sweep."""


def broker_send(task: str, args: list[Any], countdown: float = 0) -> None:
    """Send one task by name, failing fast when the broker is away."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        raise BrokerUnavailable("the broker failed moments ago; left for the sweep")
    from rota.celery import app

    try:
        app.send_task(task, args=args, countdown=countdown or None, retry=False)
    except Exception as exc:  # kombu and redis-py raise many kinds; all mean "not sent"
        with _broker_lock:
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc


def broker_pause_reset() -> None:
    """Forget a remembered broker failure (tests, and a process that knows it is back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def outbox_put(
    key: str, task: str, args: list[Any], *, delay: float = 0, now: datetime | None = None
) -> None:
    """Record work to do, in the caller's transaction, and nudge its task after the commit.

    A row already pending under `key` keeps its due time (a burst of changes folds into the
    run that the first one scheduled) and gets a new token, so a run already in progress
    leaves it for another run.
    """
    now = now or timezone.now()
    OutboxTask.objects.bulk_create(
        [
            OutboxTask(
                key=key,
                task=task,
                args=args,
                token=uuid.uuid4(),
                created_at=now,
                due_at=now + timedelta(seconds=delay),
            )
        ],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["token", "args", "task"],
    )
    _nudge_after_commit(key, now)


def _nudge_after_commit(key: str, now: datetime) -> None:
    """Claim the row for a send in the caller's transaction, and send once it commits.

    The claim commits with the change, so a send costs no write of its own after the commit
    (a webhook delivery waits for one commit, not two); a row a task is already on is left to
    that task. If the process dies before sending, the claim goes quiet and the sweep sends.
    """
    row = _claim(key, now)
    if row is not None:
        transaction.on_commit(lambda: _send(row, now))


def _claim(key: str, now: datetime) -> OutboxTask | None:
    if not OutboxTask.objects.filter(key=key, nudged_at__isnull=True).update(nudged_at=now):
        return None  # done already, a task is on it, or another process sent it
    return OutboxTask.objects.filter(key=key).only("pk", "task", "args", "due_at").first()


def outbox_nudge(key: str, *, now: datetime | None = None) -> bool:
    """Send the task of a pending row nobody is on; False when the broker would not take it.

    Never raises for a broker outage: the row stays and the sweep sends it later.
    """
    now = now or timezone.now()
    row = _claim(key, now)
    return True if row is None else _send(row, now)


def _send(row: OutboxTask, now: datetime) -> bool:
    countdown = max(0.0, (row.due_at - now).total_seconds())
    try:
        broker_send(row.task, list(row.args), countdown)
    except BrokerUnavailable as exc:
        logger.warning("%s stays in the outbox: %s", row.key, exc)
        OutboxTask.objects.filter(pk=row.pk, nudged_at=now).update(
            nudged_at=None, last_error=str(exc)[:500]
        )
        return False
    return True


def outbox_sweep(now: datetime | None = None) -> tuple[int, int]:
    """Send every due row that no task is on (or whose task went quiet); (sent, failed)."""
    now = now or timezone.now()
    quiet = now - timedelta(seconds=settings.ROTA_OUTBOX_RETRY_SECONDS)
    due = list(
        OutboxTask.objects.filter(due_at__lte=now)
        .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lt=quiet))
        .order_by("due_at")[:500]
    )
    sent = failed = 0
    for row in due:
        if row.nudged_at is not None and row.nudged_at > now - _retry_after(row.attempts):
            continue  # failed before: wait longer each time (1, 2, 4 ... 64 periods)
        claimed = (
            OutboxTask.objects.filter(pk=row.pk, nudged_at=row.nudged_at)
            .filter(Q(nudged_at__isnull=True) | Q(nudged_at__lt=quiet))
            .update(nudged_at=now)
        )
        if not claimed:
            continue
        if _send(row, now):
            sent += 1
        else:
            failed += 1
            break  # the broker is away: the rest waits for the next sweep
    return sent, failed


def _retry_after(attempts: int) -> timedelta:
    return timedelta(seconds=settings.ROTA_OUTBOX_RETRY_SECONDS * 2 ** min(max(attempts - 1, 0), 6))


def outbox_begin(key: str, *, now: datetime | None = None) -> uuid.UUID | None:
    """A task starts on `key`: the token its work answers for, or None when nothing is pending.

    Stamps the row so the sweep leaves it alone while the task runs; a task that dies leaves
    the stamp to go quiet, and the sweep sends it again.
    """
    now = now or timezone.now()
    OutboxTask.objects.filter(key=key).update(nudged_at=now, attempts=F("attempts") + 1)
    return OutboxTask.objects.filter(key=key).values_list("token", flat=True).first()


def outbox_done(key: str, token: uuid.UUID | None) -> bool:
    """The work `token` stood for is committed: drop the row, unless a newer change came.

    Call it inside the transaction that commits the work, so the two commit together. When a
    newer change is waiting, a task is nudged for it after the commit.
    """
    if token is None:
        return True
    if OutboxTask.objects.filter(key=key, token=token).delete()[0]:
        return True
    OutboxTask.objects.filter(key=key).update(nudged_at=None)
    _nudge_after_commit(key, timezone.now())
    return False


def outbox_failed(key: str, error: str) -> None:
    """Record why a run failed; the row stays and the sweep tries again once it goes quiet."""
    OutboxTask.objects.filter(key=key).update(last_error=error[:500])


def outbox_pending(keys: Iterable[str]) -> set[str]:
    return set(OutboxTask.objects.filter(key__in=list(keys)).values_list("key", flat=True))
