"""Writes about people. Every change to availability sends accounts.signals.availability_changed."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.availability import WindowSpec, overlapping_windows, window_error
from accounts.models import (
    DEFAULT_WORKING_HOURS,
    DUTY_LIMIT_FIELDS,
    ApiToken,
    TimeOff,
    User,
    WorkingHours,
)
from accounts.selectors import api_token_digest
from accounts.signals import availability_changed


def working_hours_validate(windows: Sequence[WindowSpec]) -> None:
    """Raise a ValidationError naming every inverted or overlapping window."""
    errors = []
    for window in windows:
        if not 0 <= window.weekday <= 6:
            errors.append(f"{window.weekday} is not a weekday (0 is Monday, 6 is Sunday).")
            continue
        error = window_error(window.start, window.end, window.ends_next_day)
        if error:
            errors.append(f"{window.label()}: {error}")
    for first, second in overlapping_windows(windows):
        errors.append(f"{first.label()} overlaps {second.label()}.")
    if errors:
        raise ValidationError({"working_hours": errors})


@transaction.atomic
def working_hours_replace(user: User, windows: Sequence[WindowSpec], *, reason: str = "") -> None:
    """Replace a person's weekly working hours with the given windows (validated first)."""
    working_hours_validate(windows)
    current = sorted(w.spec for w in user.working_hours.all())
    wanted = sorted(set(windows))
    if current == wanted:
        return
    user.working_hours.all().delete()
    WorkingHours.objects.bulk_create(
        WorkingHours(
            user=user,
            weekday=w.weekday,
            start=w.start,
            end=w.end,
            ends_next_day=w.ends_next_day,
        )
        for w in wanted
    )
    availability_changed.send(sender=User, user=user, reason=reason or "working hours changed")


def default_windows() -> list[WindowSpec]:
    return [WindowSpec(day, start, end) for day, start, end in DEFAULT_WORKING_HOURS]


@transaction.atomic
def time_off_add(user: User, start: date, end: date, note: str = "") -> TimeOff:
    time_off = TimeOff(user=user, start=start, end=end, note=note)
    time_off.full_clean()
    time_off.save()
    availability_changed.send(sender=User, user=user, reason="time off added")
    return time_off


@transaction.atomic
def time_off_remove(actor: User, time_off_id: int) -> None:
    time_off = TimeOff.objects.select_for_update().filter(pk=time_off_id).first()
    if time_off is None:
        return
    if time_off.user_id != actor.pk and not actor.is_staff:
        raise PermissionDenied("You can only remove your own time off.")
    owner = time_off.user
    time_off.delete()
    availability_changed.send(sender=User, user=owner, reason="time off removed")


# Fields whose change re-plans the person's rotas: availability, and the share they give.
AVAILABILITY_FIELDS = (
    "time_zone",
    "country",
    "count_public_holidays",
    *DUTY_LIMIT_FIELDS,
)


@transaction.atomic
def user_profile_update(user: User, **fields: object) -> User:
    """Update profile fields (validated); availability-relevant changes trigger re-planning."""
    before = {name: getattr(user, name) for name in AVAILABILITY_FIELDS}
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    if any(getattr(user, name) != before[name] for name in AVAILABILITY_FIELDS):
        availability_changed.send(
            sender=User, user=user, reason="time zone, holidays or share changed"
        )
    return user


@transaction.atomic
def user_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    windows: Sequence[WindowSpec] | None = None,
    **profile: object,
) -> User:
    """Create a person with a usable password and their weekly working hours.

    The password must already have passed Django's validators (the sign-up form runs them with
    the new user's attributes, so "similar to your username" is caught).
    """
    user = User(username=username, email=email, **profile)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    working_hours_replace(
        user, default_windows() if windows is None else windows, reason="signed up"
    )
    return user


def time_off_remove_own(actor: User, time_off_id: int) -> None:
    """Remove one of the actor's own time-off entries; anyone else's is PermissionDenied."""
    owner_id = TimeOff.objects.filter(pk=time_off_id).values_list("user_id", flat=True).first()
    if owner_id is None or owner_id != actor.pk:
        raise PermissionDenied("You can only remove your own time off.")
    time_off_remove(actor, time_off_id)


@transaction.atomic
def time_off_change_own(
    actor: User, time_off_id: int, start: date, end: date, note: str
) -> TimeOff:
    """Change one of the actor's own time-off entries; anyone else's is PermissionDenied."""
    time_off = TimeOff.objects.select_for_update().filter(pk=time_off_id).first()
    if time_off is None or time_off.user_id != actor.pk:
        raise PermissionDenied("You can only change your own time off.")
    time_off.start, time_off.end, time_off.note = start, end, note
    time_off.full_clean()
    time_off.save()
    availability_changed.send(sender=User, user=actor, reason="time off changed")
    return time_off


API_TOKEN_PREFIX = "rota_"


def api_token_create(user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token. Returns the row and the plain token, which is never stored:
    the caller shows it once and forgets it."""
    plain = API_TOKEN_PREFIX + secrets.token_urlsafe(32)  # 256 bits
    token = ApiToken(user=user, name=name.strip(), token_hash=api_token_digest(plain))
    token.hint = plain[-4:]
    token.full_clean(exclude=["token_hash", "hint"])
    token.save()
    return token, plain


def api_token_revoke(user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of the person's tokens; False when it was not theirs or already revoked."""
    revoked = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return revoked == 1


# Recording every request would turn each API read into a write; once a minute is plenty to
# show "last used" on the profile page.
API_TOKEN_USE_RECORD_INTERVAL = timedelta(minutes=1)


def api_token_touch(token: ApiToken, now: datetime) -> bool:
    """Record a use, at most once per interval (a conditional UPDATE, so concurrent requests
    write once)."""
    cutoff = now - API_TOKEN_USE_RECORD_INTERVAL
    if token.last_used_at is not None and token.last_used_at > cutoff:
        return False
    written = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff))
        .update(last_used_at=now)
    )
    return written == 1
