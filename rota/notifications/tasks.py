"""Celery tasks that send notices. Each takes ids, sends each notice at most once (see
rota.notifications.services) and returns an outcome string.

Event notices (swaps, overrides, a plan) come through the outbox: the task calls outbox_done
only when every recipient was reached, and retries with backoff while a mail server is away.
Periodic notices (reminders, hand-off notes, managers' summaries) are declared in
rota/celery.py; a notice that failed stays pending and the next run retries it, until it has
failed NOTICE_MAX_ATTEMPTS times.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from accounts.models import User
from rota.notifications.models import NoticeKind
from rota.notifications.services import Delivery, deliveries_outcome, notice_deliver
from rota.notifications.timing import in_working_hours, reminder_due_at

SWAP_EVENTS = ("requested", "accepted", "withdrawn", "expired")

# Event notices: an SMTP server that is briefly away is worth five more tries, 10 s to ~5 min.
EVENT_RETRY: dict[str, Any] = {
    "autoretry_for": (OSError,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": 5,
}

# A duty is reminded of if it starts within this window; the hand-off note is sent within
# this long after the duty started (inside the person's working hours).
REMINDER_LOOKAHEAD = timedelta(days=16)
HANDOFF_WITHIN = timedelta(days=4)


@shared_task(name="rota.notifications.tasks.swap_news_send_task", **EVENT_RETRY)
def swap_news_send_task(swap_id: int, event: str) -> str:
    """Tell the requester, the taker (or the named person) and the rota's managers; offer an
    open request to every member who could take it."""
    from rota.rotas.models import SwapRequest, SwapStatus
    from rota.rotas.outbox import outbox_begin, outbox_done
    from rota.rotas.selectors import members_eligible_for

    if event not in SWAP_EVENTS:
        return f"unknown event {event!r}"
    key = f"swap-news:{swap_id}:{event}"
    token = outbox_begin(key)
    swap = (
        SwapRequest.objects.select_related(
            "assignment__shift__rota", "requester", "target", "taken_by"
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None:
        outbox_done(key, token)
        return f"swap {swap_id} is gone"
    if event == "expired" and swap.status != SwapStatus.EXPIRED:
        outbox_done(key, token)
        return f"swap {swap_id} did not expire"
    rota = swap.assignment.shift.rota
    context = {"swap": swap, "rota": rota, "event": event}
    subject = f"swap:{swap_id}:{event}"
    results: list[Delivery] = []
    told: set[int] = set()
    # A lapsed request concerns only the two sides; every other event the managers too.
    managers = [] if event == "expired" else list(rota.managers.all())
    for person in [swap.requester, swap.taken_by or swap.target, *managers]:
        if person is None or person.pk in told:
            continue
        told.add(person.pk)
        results.append(
            notice_deliver(
                person, NoticeKind.SWAP_NEWS, subject, template="swap", context=context,
                rota_id=rota.pk,
            )
        )  # fmt: skip
    if event == "requested" and swap.target is None:
        for person in members_eligible_for(swap.assignment):
            if person.pk in told:
                continue
            told.add(person.pk)
            results.append(
                notice_deliver(
                    person, NoticeKind.SWAP_OFFER, subject, template="swap_offer",
                    context=context, rota_id=rota.pk,
                )
            )  # fmt: skip
    outcome = deliveries_outcome(f"swap {swap_id} ({event})", results)
    outbox_done(key, token)  # only once everyone was reached: a retry raised above
    return outcome


@shared_task(name="rota.notifications.tasks.override_news_send_task", **EVENT_RETRY)
def override_news_send_task(action_id: int) -> str:
    """Tell the person a manager put on a seat, and the person they replaced."""
    from rota.rotas.models import Assignment, ManagerAction
    from rota.rotas.outbox import outbox_begin, outbox_done

    key = f"override-news:{action_id}"
    token = outbox_begin(key)
    action = ManagerAction.objects.select_related("rota", "actor").filter(pk=action_id).first()
    if action is None:
        outbox_done(key, token)
        return f"manager action {action_id} is gone"
    details = action.details or {}
    assignment = (
        Assignment.objects.select_related("shift").filter(pk=details.get("assignment")).first()
    )
    people = {u.pk: u for u in User.objects.filter(
        pk__in=[details.get("person"), details.get("replaced_person")]
    )}  # fmt: skip
    context = {
        "action": action,
        "rota": action.rota,
        "shift": assignment.shift if assignment else None,
        "role": assignment.role if assignment else "",
        "person": people.get(details.get("person")),
        "replaced": people.get(details.get("replaced_person")),
    }
    results = [
        notice_deliver(
            person, NoticeKind.OVERRIDE, f"override:{action_id}", template="override",
            context=context, rota_id=action.rota_id,
        )
        for person in {p.pk: p for p in (context["person"], context["replaced"]) if p}.values()
    ]  # fmt: skip
    outcome = deliveries_outcome(f"override {action_id}", results)
    outbox_done(key, token)
    return outcome


def plan_notices_key(run_id: int) -> str:
    return f"plan-notices:{run_id}"


@shared_task(name="rota.notifications.tasks.plan_run_notices_send_task", **EVENT_RETRY)
def plan_run_notices_send_task(run_id: int) -> str:
    """One "your duties changed" message per person the applied plan changed, with every
    change in their own time; nobody else hears of it."""
    from rota.notifications.selectors import plan_run_applied, plan_run_changes_by_person
    from rota.rotas.outbox import outbox_begin, outbox_done

    key = plan_notices_key(run_id)
    token = outbox_begin(key)
    run = plan_run_applied(run_id)
    if run is None:
        outbox_done(key, token)
        return f"plan {run_id} is not an applied plan"
    by_person = plan_run_changes_by_person(run)
    results = [
        notice_deliver(
            person, NoticeKind.DUTIES_CHANGED, f"plan-run:{run_id}", template="duties_changed",
            context={"rota": run.rota, "run": run, "changes": by_person[person.pk]},
            rota_id=run.rota_id,
        )
        for person in User.objects.filter(pk__in=by_person).order_by("pk")
    ]  # fmt: skip
    outcome = deliveries_outcome(f"plan {run_id}", results)
    outbox_done(key, token)
    return outcome


@shared_task(name="rota.notifications.tasks.reminders_send_task")
def reminders_send_task() -> str:
    """Every quarter hour: remind each person of a duty whose reminder is due (one working
    day before, by default), but only while it is working time for them."""
    from rota.notifications.preferences import reminder_working_days_of
    from rota.notifications.selectors import (
        assignments_starting_between,
        notice_subjects_done,
        shift_partners,
        windows_of,
    )

    now = timezone.now()
    duties = list(assignments_starting_between(now, now + REMINDER_LOOKAHEAD))
    done = notice_subjects_done(NoticeKind.REMINDER, {f"assignment:{a.pk}" for a in duties})
    windows = windows_of(a.person_id for a in duties)
    lead_days = reminder_working_days_of(a.person_id for a in duties)
    results: list[Delivery] = []
    for duty in duties:
        subject = f"assignment:{duty.pk}"
        if (duty.person_id, subject) in done:
            continue
        person, shift = duty.person, duty.shift
        mine = windows.get(person.pk, [])
        try:
            due = reminder_due_at(
                mine, person.time_zone, shift.starts_at, working_days=lead_days[person.pk]
            )
            if now < due or not in_working_hours(mine, person.time_zone, now):
                continue
        except (ValueError, LookupError):  # a zone that no longer exists: not their hour
            results.append(Delivery.UNREACHABLE)
            continue
        context = {
            "rota": shift.rota,
            "duty": duty,
            "shift": shift,
            "partners": shift_partners(duty),
        }
        results.append(
            notice_deliver(
                person, NoticeKind.REMINDER, subject, template="reminder", context=context,
                rota_id=shift.rota_id, now=now,
            )
        )  # fmt: skip
    return _periodic_outcome("reminders", results)


@shared_task(name="rota.notifications.tasks.handoffs_send_task")
def handoffs_send_task() -> str:
    """Every quarter hour: when a duty has started, tell its person who is on with them, what
    time it is for each and what work waits (open review requests), at the first working moment
    of theirs in the duty."""
    from rota.notifications.selectors import (
        assignments_on_duty_at,
        notice_subjects_done,
        shift_partners,
        windows_of,
    )
    from rota.rotas.open_work import open_work_for

    now = timezone.now()
    duties = list(assignments_on_duty_at(now, now - HANDOFF_WITHIN))
    done = notice_subjects_done(NoticeKind.HANDOFF, {f"assignment:{a.pk}" for a in duties})
    windows = windows_of(a.person_id for a in duties)
    results: list[Delivery] = []
    for duty in duties:
        subject = f"assignment:{duty.pk}"
        person = duty.person
        if (person.pk, subject) in done:
            continue
        try:
            if not in_working_hours(windows.get(person.pk, []), person.time_zone, now):
                continue
        except (ValueError, LookupError):  # a zone that no longer exists: not their hour
            results.append(Delivery.UNREACHABLE)
            continue
        context = {
            "rota": duty.shift.rota,
            "duty": duty,
            "shift": duty.shift,
            "partners": shift_partners(duty),
            "open_work": open_work_for(duty, now),
            "now": now,
        }
        results.append(
            notice_deliver(
                person, NoticeKind.HANDOFF, subject, template="handoff", context=context,
                rota_id=duty.shift.rota_id, now=now,
            )
        )  # fmt: skip
    return _periodic_outcome("hand-off notes", results)


SUMMARY_WEEKS = 4


@shared_task(name="rota.notifications.tasks.manager_summaries_send_task")
def manager_summaries_send_task() -> str:
    """Hourly: each rota's managers get one summary a week (their own ISO week), at the first
    run that falls in their working hours: gaps, unfilled seats, weeks under the minimum
    coverage and how fairness moved."""
    from rota.notifications.selectors import fairness_drift, windows_of
    from rota.rotas.dashboard import dashboard_for
    from rota.rotas.models import Rota

    now = timezone.now()
    results: list[Delivery] = []
    for rota in Rota.objects.prefetch_related("managers").order_by("pk"):
        managers = list(rota.managers.all())
        windows = windows_of(m.pk for m in managers)
        for manager in managers:
            if not in_working_hours(windows.get(manager.pk, []), manager.time_zone, now):
                continue
            year, week, _ = now.astimezone(ZoneInfo(manager.time_zone)).isocalendar()
            overview = next(
                (o for o in dashboard_for(manager, now, SUMMARY_WEEKS) if o.rota.pk == rota.pk),
                None,
            )
            if overview is None:
                continue
            context = {
                "rota": rota,
                "overview": overview,
                "unfilled": [w for w in overview.weeks if w.unfilled],
                "under_minimum": [w for w in overview.weeks if w.under_minimum],
                "drift": fairness_drift(rota, now),
                "weeks": SUMMARY_WEEKS,
            }
            results.append(
                notice_deliver(
                    manager, NoticeKind.MANAGER_SUMMARY, f"summary:{rota.pk}:{year}-W{week:02d}",
                    template="manager_summary", context=context, rota_id=rota.pk, now=now,
                )
            )  # fmt: skip
    return _periodic_outcome("managers' summaries", results)


def _periodic_outcome(what: str, results: list[Delivery]) -> str:
    """A periodic run never raises for a failed notice: it stays pending and the next run
    tries it again."""
    counts = {d.value: results.count(d) for d in Delivery if results.count(d)}
    return f"{what}: " + (", ".join(f"{n} {k}" for k, n in counts.items()) or "none due")
