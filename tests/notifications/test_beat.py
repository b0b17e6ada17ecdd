"""Periodic jobs are declared in one place, and every one names a task the worker knows."""

from __future__ import annotations

from rota.celery import app


def test_every_periodic_job_of_issue_18_is_declared_in_beat() -> None:
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled >= {
        "rota.notifications.tasks.reminders_send_task",
        "rota.notifications.tasks.handoffs_send_task",
        "rota.notifications.tasks.manager_summaries_send_task",
        "rota.rotas.tasks.outbox_sweep_task",
        "rota.rotas.tasks.rotas_extend_horizon_task",
        "rota.rotas.tasks.swap_requests_expire_task",
    }


def test_every_task_beat_or_the_outbox_names_is_registered() -> None:
    from rota.rotas.planning import PLAN_NOTICES_TASK
    from rota.rotas.services import PLAN_TASK, SWAP_NEWS_TASK

    app.loader.import_default_modules()
    named = {entry["task"] for entry in app.conf.beat_schedule.values()}
    named |= {PLAN_NOTICES_TASK, PLAN_TASK, SWAP_NEWS_TASK}
    named.add("rota.notifications.tasks.override_news_send_task")
    assert named <= set(app.tasks)
