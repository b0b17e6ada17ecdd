"""How a notice reaches a person: one small interface, e-mail its only channel today.

A chat channel (a Matrix or Slack webhook) implements `Channel.send` and raises OSError for a
failure worth retrying; delivery, claims and preferences stay the same for every channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage


@dataclass(frozen=True)
class Message:
    address: str
    subject: str
    body: str
    # One-click unsubscribe (RFC 8058) from this kind of notice, and the preferences page.
    unsubscribe_url: str
    preferences_url: str


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None:
        """Deliver or raise OSError (a transient failure: the notice is retried)."""


class EmailChannel:
    name = "email"

    def send(self, message: Message) -> None:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={
                # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs
                # "List-Unsubscribe=One-Click" to the link, with no login and no page to read.
                "List-Unsubscribe": f"<{message.unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        email.send(fail_silently=False)


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}


def channel_named(name: str) -> Channel:
    return CHANNELS[name]
