"""Writes for feeds: create, revoke and touch feed links; save a person's feed settings; ask
for a rota's feeds to be rendered ahead of the polls."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import User
from rota.feeds.models import FeedKind, FeedPreference, FeedToken
from rota.feeds.selectors import (
    FETCH_RECORD_INTERVAL,
    FeedAccess,
    feed_rotas_for,
    feed_token_digest,
)
from rota.feeds.tasks import rota_feeds_warm_task
from rota.rotas import outbox
from rota.rotas.models import Rota

logger = logging.getLogger(__name__)


def feed_token_create(
    user: User, kind: str, rota: Rota | None, now: datetime
) -> tuple[FeedToken, str]:
    """A new feed link; the person's previous link for the same feed is revoked.

    Returns the row and the plain token. The plain token is never stored: the caller shows it
    once and forgets it.
    """
    if kind == FeedKind.PERSONAL:
        rota = None
    elif rota is None or not feed_rotas_for(user).filter(pk=rota.pk).exists():
        raise PermissionDenied("Only members and managers of a rota can subscribe to it.")
    try:
        return _feed_token_replace(user, kind, rota, now)
    except IntegrityError:
        # A create that raced ours committed its link between our revoke and our insert (the
        # lock below serialises creates on PostgreSQL; SQLite or a lock-free path can still
        # collide). Once more: this time the revoke sees the other link.
        return _feed_token_replace(user, kind, rota, now)


def _feed_token_replace(
    user: User, kind: str, rota: Rota | None, now: datetime
) -> tuple[FeedToken, str]:
    plain = secrets.token_urlsafe(32)  # 256 bits
    with transaction.atomic():
        # Two concurrent creates would both revoke nothing and both insert, and the second
        # would break the one-active-link constraint: locking the person's row makes the
        # second wait for the first and then revoke its link.
        User.objects.select_for_update().filter(pk=user.pk).first()
        FeedToken.objects.filter(user=user, kind=kind, rota=rota, revoked_at__isnull=True).update(
            revoked_at=now
        )
        token = FeedToken.objects.create(
            user=user, kind=kind, rota=rota, token_hash=feed_token_digest(plain), hint=plain[-4:]
        )
    return token, plain


def feed_token_revoke(user: User, token_id: int, now: datetime) -> bool:
    revoked = FeedToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return revoked == 1


def feed_token_touch(access: FeedAccess, now: datetime) -> bool:
    """Record a fetch, at most once per FETCH_RECORD_INTERVAL per link.

    The look-up already told whether a write is due, so most polls write nothing; the
    conditional UPDATE keeps concurrent polls from writing twice.
    """
    if not access.fetch_due:
        return False
    cutoff = now - FETCH_RECORD_INTERVAL
    written = (
        FeedToken.objects.filter(pk=access.token_id)
        .filter(Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lte=cutoff))
        .update(last_fetched_at=now)
    )
    return written == 1


def feed_preference_set(user: User, reminder_minutes: int | None) -> FeedPreference:
    preference, _ = FeedPreference.objects.update_or_create(
        user=user, defaults={"reminder_minutes": reminder_minutes}
    )
    return preference


def rota_feeds_warm_enqueue(rota_id: int) -> None:
    """Render a rota's feeds in a worker once the current transaction commits.

    Only a nudge: a poll renders on a cache miss anyway. So a broker that is down or refuses
    (whatever it raises) is logged, never passed to the caller, and the send is not retried
    (retry=False): a plan must not wait on a broker for a warm-up.
    """

    def enqueue() -> None:
        # Through the outbox's sender: its short timeouts and its pause after a failure keep a
        # broker outage from costing every plan a timeout.
        try:
            outbox.broker_send(rota_feeds_warm_task.name, [rota_id])
        except outbox.BrokerUnavailable as exc:
            logger.warning("feeds of rota %s not warmed, the broker refused: %s", rota_id, exc)

    transaction.on_commit(enqueue)
