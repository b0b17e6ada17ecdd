"""Reads for feeds: token look-up, who may subscribe to what, and the cached feed documents.

Cost model: a feed is rendered once per change of the plans it covers and then served from
Django's cache. The cache key holds everything the document depends on that can change
(plan_version of each covered rota, the reminder setting, the UTC date for the 30-day
cancellation window), so a poll of an unchanged feed costs the token look-up, at most one small
query for the plan versions and a cache read; no invalidation is ever needed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import User
from rota.feeds.models import FeedKind, FeedPreference, FeedToken
from rota.feeds.rendering import CANCELLED_VISIBLE_FOR, Duty, DutyPerson, FeedSpec, feed_render
from rota.rotas.models import Assignment, Membership, Rota

# Past duties stay in feeds for a year, so calendars keep a useful history.
FEED_HISTORY = timedelta(days=365)
CACHE_TTL_SECONDS = 2 * 24 * 3600  # keys change with the date anyway; this only frees memory
DUTIES_PATH = "/me/duties"


def feed_token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def feed_token_find(plain: str) -> FeedToken | None:
    """The active token for a plain token from a URL, or None. One query.

    The row is found by its hash (an index look-up reveals nothing useful about a random
    256-bit token) and the hash is then compared in constant time, as the brief demands,
    so no timing difference depends on how much of a guess was right.
    """
    digest = feed_token_digest(plain)
    token = (
        FeedToken.objects.filter(token_hash=digest, revoked_at__isnull=True)
        .select_related("user", "user__feed_preference", "rota")
        .annotate(
            holder_is_member=Exists(
                Membership.objects.filter(user_id=OuterRef("user_id"), rota_id=OuterRef("rota_id"))
            ),
            holder_is_manager=Exists(
                Rota.managers.through.objects.filter(
                    user_id=OuterRef("user_id"), rota_id=OuterRef("rota_id")
                )
            ),
        )
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def feed_token_may_read(token: FeedToken) -> bool:
    """A rota link works only while its holder is a member or manager of that rota."""
    if token.kind == FeedKind.PERSONAL:
        return True
    annotations = ("holder_is_member", "holder_is_manager")
    return any(getattr(token, name, False) for name in annotations)


def feed_reminder_minutes(user: User) -> int | None:
    try:
        return user.feed_preference.reminder_minutes  # type: ignore[attr-defined]
    except FeedPreference.DoesNotExist:
        return None


def feed_rotas_for(user: User) -> QuerySet[Rota]:
    """Rotas whose everyone-feed this person may subscribe to: members and managers."""
    return Rota.objects.filter(Q(memberships__user=user) | Q(managers=user)).distinct()


def feed_tokens_for(user: User) -> QuerySet[FeedToken]:
    return FeedToken.objects.filter(user=user).select_related("rota")


def feed_public_rota(slug: str) -> Rota | None:
    return Rota.objects.filter(slug=slug, is_public=True).first()


# --- documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    etag: str
    last_modified: int  # Unix time of the render, for Last-Modified / If-Modified-Since


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _rota_link(rota: Rota) -> str:
    return f"{settings.SITE_URL}/rotas/{rota.slug}/"


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)


def _window(now: datetime) -> tuple[datetime, datetime]:
    """(earliest shift end, earliest cancellation) shown, both fixed for the whole UTC day."""
    day = _day_start(now)
    return day - FEED_HISTORY, day - CANCELLED_VISIBLE_FOR


def _in_window(assignments: QuerySet[Assignment], now: datetime) -> QuerySet[Assignment]:
    ends_after, cancelled_after = _window(now)
    return assignments.filter(shift__ends_at__gte=ends_after).filter(
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=cancelled_after)
    )


def _cached(key: str, render: Callable[[], bytes], now: datetime) -> FeedDocument:
    document = cache.get(key)
    if document is None:
        body = render()
        document = FeedDocument(
            body=body,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=int(now.timestamp()),
        )
        cache.set(key, document, CACHE_TTL_SECONDS)
    return document


def _person(user: User, public: bool) -> DutyPerson:
    if public:
        # Display names only: never the username, which is a login, nor the e-mail.
        return DutyPerson(user.display_name or user.get_full_name() or "A volunteer", None)
    return DutyPerson(user.name, user.time_zone)


def _duty(a: Assignment, others: list[Assignment], public: bool) -> Duty:
    shift = a.shift
    return Duty(
        assignment_id=a.pk,
        person=_person(a.person, public),
        role=a.role,
        rota_name=shift.rota.name,
        rota_kind=shift.rota.kind,
        release_version=shift.release.version if shift.release_id else None,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        sequence=a.sequence,
        updated_at=a.updated_at,
        cancelled_at=a.cancelled_at,
        explanation=a.explanation,
        others=tuple(
            (_person(o.person, public), o.role)
            for o in others
            if o.pk != a.pk and o.cancelled_at is None
        ),
    )


def _with_people(assignments: QuerySet[Assignment]) -> list[Assignment]:
    return list(
        assignments.select_related("shift__rota", "shift__release", "person").order_by(
            "shift__starts_at", "pk"
        )
    )


def personal_feed_render(user: User, reminder_minutes: int | None, now: datetime) -> bytes:
    mine = _with_people(_in_window(Assignment.objects.filter(person=user), now))
    shift_ids = {a.shift_id for a in mine}
    coworkers: dict[int, list[Assignment]] = {}
    for other in _with_people(
        Assignment.objects.active().filter(shift_id__in=shift_ids).exclude(person=user)
    ):
        coworkers.setdefault(other.shift_id, []).append(other)
    spec = FeedSpec(
        name=f"My duties ({settings.SITE_NAME})",
        description=f"Duties of {user.name} in every rota, from {settings.SITE_NAME}.",
        audience="personal",
        host=_host(),
        link=f"{settings.SITE_URL}{DUTIES_PATH}",
        owner_zone=user.time_zone,
        reminder_minutes=reminder_minutes,
    )
    return feed_render(spec, (_duty(a, coworkers.get(a.shift_id, []), False) for a in mine))


def rota_feed_render(rota: Rota, public: bool, now: datetime) -> bytes:
    rows = _with_people(_in_window(Assignment.objects.filter(shift__rota=rota), now))
    by_shift: dict[int, list[Assignment]] = {}
    for row in rows:
        by_shift.setdefault(row.shift_id, []).append(row)
    spec = FeedSpec(
        name=f"{rota.name} duties ({settings.SITE_NAME})",
        description=rota.description or f"Everyone's duties in {rota.name}.",
        audience="public" if public else "rota",
        host=_host(),
        link=_rota_link(rota),
    )
    return feed_render(spec, (_duty(a, by_shift[a.shift_id], public) for a in rows))


def personal_feed_document(user: User, reminder_minutes: int | None, now: datetime) -> FeedDocument:
    """One small query (the plan versions) plus a cache read while nothing changed."""
    ends_after, _ = _window(now)
    versions = (
        Rota.objects.filter(shifts__assignments__person=user, shifts__ends_at__gte=ends_after)
        .values_list("pk", "plan_version")
        .distinct()
        .order_by("pk")
    )
    fingerprint = hashlib.sha256(repr(list(versions)).encode()).hexdigest()[:24]
    key = f"feeds:1:personal:{user.pk}:{reminder_minutes}:{_day_start(now):%Y%m%d}:{fingerprint}"
    return _cached(key, lambda: personal_feed_render(user, reminder_minutes, now), now)


def rota_feed_document(rota: Rota, public: bool, now: datetime) -> FeedDocument:
    audience = "public" if public else "rota"
    key = f"feeds:1:{audience}:{rota.pk}:{rota.plan_version}:{_day_start(now):%Y%m%d}"
    return _cached(key, lambda: rota_feed_render(rota, public, now), now)


def feed_urls(token: FeedToken, plain: str) -> dict[str, str]:
    """The https and webcal:// addresses of a feed link (only at creation: we keep no token)."""
    if token.kind == FeedKind.PERSONAL:
        path = reverse("feeds:personal", kwargs={"token": plain})
    else:
        path = reverse("feeds:rota", kwargs={"slug": token.rota.slug, "token": plain})
    https = f"{settings.SITE_URL}{path}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def public_feed_urls(rota: Rota) -> dict[str, str]:
    https = f"{settings.SITE_URL}{reverse('feeds:public', kwargs={'slug': rota.slug})}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}
