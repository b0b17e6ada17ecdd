"""E-mails about swaps, sent by a Celery task after the swap's transaction commits."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string

SWAP_EVENTS = ("requested", "accepted", "withdrawn")


@shared_task(
    name="rota.notifications.tasks.swap_news_send_task",
    autoretry_for=(OSError,),  # an SMTP server that is briefly away
    retry_backoff=10,
    max_retries=5,
)
def swap_news_send_task(swap_id: int, event: str) -> str:
    """Tell the requester, the taker (or the named person) and the rota's managers.

    Safe to run twice in the sense that matters: it only reads; a retry may send a duplicate
    e-mail, which is better than none.
    """
    from rota.rotas.models import SwapRequest

    if event not in SWAP_EVENTS:
        return f"unknown event {event!r}"
    swap = (
        SwapRequest.objects.select_related(
            "assignment__shift__rota", "requester", "target", "taken_by"
        )
        .filter(pk=swap_id)
        .first()
    )
    if swap is None:
        return f"swap {swap_id} is gone"
    rota = swap.assignment.shift.rota
    people = [swap.requester, swap.taken_by or swap.target, *rota.managers.all()]
    seen: set[int] = set()
    messages = []
    for person in people:
        if person is None or person.pk in seen or not person.email:
            continue
        seen.add(person.pk)
        context = {
            "swap": swap,
            "rota": rota,
            "recipient": person,
            "event": event,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("emails/swap_subject.txt", context).strip()
        body = render_to_string("emails/swap_body.txt", context)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    sent = send_mass_mail(messages, fail_silently=False)
    return f"sent {sent} e-mails about swap {swap_id} ({event})"
