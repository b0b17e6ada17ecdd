"""E-mails about swaps, sent by a Celery task after the swap's transaction commits."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string

SWAP_EVENTS = ("requested", "accepted", "withdrawn")


# How long a recipient's "sent" mark outlives its e-mail: longer than all retries take.
SENT_MARK_SECONDS = 24 * 3600


def _one_line(text: str) -> str:
    """A subject is one header line: any newline (stored before names were validated, or
    from a template) would end the header and start another."""
    return " ".join(text.split())


@shared_task(
    name="rota.notifications.tasks.swap_news_send_task",
    autoretry_for=(OSError,),  # an SMTP server that is briefly away
    retry_backoff=10,
    max_retries=5,
)
def swap_news_send_task(swap_id: int, event: str) -> str:
    """Tell the requester, the taker (or the named person) and the rota's managers.

    One message per recipient. Each recipient is claimed with an atomic cache.add before the
    send and released if the send fails, so a retry (after one recipient's server refused)
    sends only to those not yet reached, and a task delivered twice does not mail anyone
    twice.
    """
    from rota.rotas.outbox import outbox_begin, outbox_done

    if event not in SWAP_EVENTS:
        return f"unknown event {event!r}"
    key = f"swap-news:{swap_id}:{event}"
    token = outbox_begin(key)
    outcome = _swap_news_send(swap_id, event)
    outbox_done(key, token)  # only once every recipient was reached: a failure raised above
    return outcome


def _swap_news_send(swap_id: int, event: str) -> str:
    from rota.rotas.models import SwapRequest

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
    sent, failed = 0, 0
    for person in people:
        if person is None or person.pk in seen or not person.email:
            continue
        seen.add(person.pk)
        mark = f"swap-news:{swap_id}:{event}:{person.pk}"
        if not cache.add(mark, 1, SENT_MARK_SECONDS):
            continue  # sent by an earlier try
        context = {
            "swap": swap,
            "rota": rota,
            "recipient": person,
            "event": event,
            "site_url": settings.SITE_URL,
        }
        subject = _one_line(render_to_string("emails/swap_subject.txt", context))
        body = render_to_string("emails/swap_body.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        except OSError:
            cache.delete(mark)
            failed += 1
            continue
        sent += 1
    if failed:
        raise OSError(f"{failed} e-mails about swap {swap_id} ({event}) failed; {sent} sent")
    return f"sent {sent} e-mails about swap {swap_id} ({event})"
