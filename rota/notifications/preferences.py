"""Which notices a person gets, and the signed links that change it without a login.

A link carries the person's id and the kind of notice it came with, signed with SECRET_KEY
(django.core.signing) under its own salt. It does not expire: an unsubscribe link in an old
e-mail must still work. It can only change notice preferences, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from rota.notifications.models import (
    REMINDER_WORKING_DAYS_DEFAULT,
    NoticeKind,
    NoticeOptOut,
    NoticeSettings,
)

SALT = "rota.notifications.preferences"


def preferences_token(user_id: int, kind: str = "") -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def preferences_token_read(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; signing.BadSignature for a forged or damaged one."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("not a preferences token")
    kind = data.get("k") or ""
    if kind and kind not in NoticeKind.values:
        raise signing.BadSignature("unknown kind of notice")
    return data["u"], kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = preferences_token(user_id, kind)
    return settings.SITE_URL + reverse("notice_unsubscribe", args=[token])


def preferences_url(user_id: int) -> str:
    token = preferences_token(user_id)
    return settings.SITE_URL + reverse("notice_preferences_signed", args=[token])


def kinds_muted_by(user: User) -> set[str]:
    return set(NoticeOptOut.objects.filter(user=user).values_list("kind", flat=True))


def notice_wanted(user_id: int, kind: str) -> bool:
    return not NoticeOptOut.objects.filter(user_id=user_id, kind=kind).exists()


def reminder_working_days_of(user_ids: Iterable[int]) -> dict[int, int]:
    """Each person's reminder lead in working days (the default for those who chose none)."""
    ids = set(user_ids)
    chosen = dict(
        NoticeSettings.objects.filter(user_id__in=ids).values_list(
            "user_id", "reminder_working_days"
        )
    )
    return {pk: chosen.get(pk, REMINDER_WORKING_DAYS_DEFAULT) for pk in ids}


@transaction.atomic
def notice_preferences_set(
    user: User, wanted: Iterable[str], reminder_working_days: int = REMINDER_WORKING_DAYS_DEFAULT
) -> None:
    """Keep exactly the kinds not in `wanted` muted, and the reminder lead chosen."""
    NoticeSettings.objects.update_or_create(
        user=user, defaults={"reminder_working_days": reminder_working_days}
    )
    wanted = set(wanted)
    muted = set(NoticeKind.values) - wanted
    NoticeOptOut.objects.filter(user=user).exclude(kind__in=muted).delete()
    NoticeOptOut.objects.bulk_create(
        [NoticeOptOut(user=user, kind=kind) for kind in sorted(muted)], ignore_conflicts=True
    )


def notice_kind_mute(user_id: int, kind: str) -> None:
    NoticeOptOut.objects.bulk_create(
        [NoticeOptOut(user_id=user_id, kind=kind)], ignore_conflicts=True
    )
