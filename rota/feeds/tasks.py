"""Celery tasks of feeds: warm the cache after a plan, so polls stay cache reads."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(
    name="rota.feeds.tasks.rota_feeds_warm_task",
    # A locked or restarting database is transient; anything else is left to the next poll,
    # which renders on a cache miss anyway.
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def rota_feeds_warm_task(rota_id: int) -> str:
    """Render the feeds that show a rota under their current keys. Safe to run twice: a feed
    already in the cache is not rendered again."""
    from rota.feeds.selectors import rota_feeds_warm

    rendered, cached = rota_feeds_warm(rota_id, timezone.now())
    return f"rota {rota_id}: {rendered} feeds rendered, {cached} already cached"
