"""GET /healthz: is the database answering, is the broker answering."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_state() -> dict[str, object]:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; report it, don't raise
        return {"ok": False, "error": type(exc).__name__}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round(1000 * (time.monotonic() - started), 1),
    }


def _broker_state() -> dict[str, object]:
    """Asks the broker over a connection from the app's pool, so a poll every few seconds
    does not open (and tear down) a connection each time; a connection that fails is dropped
    from the pool, and the next poll connects afresh."""
    from rota.celery import app

    started = time.monotonic()
    try:
        with app.pool.acquire(block=True, timeout=2) as conn:
            try:
                conn.ensure_connection(max_retries=1, timeout=2)
                # Redis: a pooled connection may have gone away since its last use; ask.
                client = getattr(conn.default_channel, "client", None)
                if client is not None:
                    client.ping()
                transport = conn.transport_cls
            except Exception:
                conn.collect()
                raise
    except Exception as exc:  # kombu raises many kinds; any of them means "down"
        return {"ok": False, "error": type(exc).__name__}
    return {
        "ok": True,
        "transport": str(transport),
        "ms": round(1000 * (time.monotonic() - started), 1),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_state()
    broker = _broker_state()
    healthy = bool(database["ok"] and broker["ok"])
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
