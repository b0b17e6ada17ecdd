"""The Celery application.

Redis is the broker when REDIS_URL is set; otherwise kombu's filesystem transport under var/
lets a real worker and beat run on a machine with nothing but Python (no eager mode).
Periodic jobs are declared here, in one place.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

from rota import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rota.settings")
broker.register()  # the embedded broker's transport, before any connection is made

app = Celery("rota")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "extend-every-rota-horizon": {
        "task": "rota.rotas.tasks.rotas_extend_horizon_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "sweep-the-outbox": {
        "task": "rota.rotas.tasks.outbox_sweep_task",
        "schedule": timedelta(seconds=settings.ROTA_OUTBOX_SWEEP_SECONDS),
        # A sweep that waited longer than the next one is useless: drop it.
        "options": {"expires": settings.ROTA_OUTBOX_SWEEP_SECONDS},
    },
    "follow-up-silent-reviewers": {
        "task": "rota.github.tasks.silent_reviewers_task",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 15 * 60},
    },
    "send-triage-digests": {
        "task": "rota.github.tasks.triage_digests_task",
        "schedule": crontab(day_of_week="mon", hour=7, minute=5),
    },
    "expire-stale-swap-requests": {
        "task": "rota.rotas.tasks.swap_requests_expire_task",
        "schedule": crontab(minute=7),
    },
    # Notices wait for the person's working hours: a quarter-hour cadence sends each within
    # fifteen minutes of their working day opening. A run that waited past the next is moot.
    "send-duty-reminders": {
        "task": "rota.notifications.tasks.reminders_send_task",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 15 * 60},
    },
    "send-hand-off-notes": {
        "task": "rota.notifications.tasks.handoffs_send_task",
        "schedule": crontab(minute="2-59/15"),
        "options": {"expires": 15 * 60},
    },
    "send-weekly-manager-summaries": {
        "task": "rota.notifications.tasks.manager_summaries_send_task",
        "schedule": crontab(minute=4),
        "options": {"expires": 60 * 60},
    },
}


def ensure_broker_folders() -> None:
    """Create the embedded broker's folders; kombu's filesystem transport expects them."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


if app.conf.broker_url and str(app.conf.broker_url).startswith(broker.ALIAS):
    ensure_broker_folders()
