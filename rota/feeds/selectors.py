"""Reads for feeds: token look-up, who may subscribe to what, and the cached feed documents.

Cost model: a feed is rendered once per change of what it shows and then served from Django's
cache. The cache key names what the document depends on: the plan_version of each covered rota,
a stamp of the rota rows the feed shows (name, description, kind), for personal feeds the
reader's own name and zone, the reminder setting and the UTC date (for the 30-day cancellation
window). All of that comes with the token look-up (or the public rota's row), so a poll of an
unchanged feed costs that one query and a cache read.

What the key does not read, co-workers' names and zones, release versions and admin edits of
shifts and assignments, raises the plan_version of the rotas concerned instead
(rota/feeds/signals.py), so no cached document is ever invalidated: a change is a new key.

After each plan a worker renders the rota's feeds under their new keys (rota_feeds_warm), so
polls rarely render at all; a poll that misses (or finds the cache down) renders, as before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache as cache_result
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import User, person_name, public_name
from rota.feeds.models import FeedKind, FeedPreference, FeedToken
from rota.feeds.rendering import CANCELLED_VISIBLE_FOR, Duty, DutyPerson, FeedSpec, feed_render
from rota.rotas.models import Assignment, Membership, Rota, Shift

logger = logging.getLogger(__name__)

# Past duties stay in feeds for a year, so calendars keep a useful history.
FEED_HISTORY = timedelta(days=365)
CACHE_TTL_SECONDS = 2 * 24 * 3600  # keys change with the date anyway; this only frees memory


def feed_token_digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class FeedAccess:
    """What a poll needs to know about a feed link, read in one query."""

    token_id: int
    user_id: int
    kind: str
    rota_id: int | None
    rota_slug: str | None
    rota_plan_version: int | None
    reminder_minutes: int | None
    # A hash of the rows the document shows that are read with the token: the rota (rota
    # links), or the reader and the names of their rotas (personal links).
    content: str
    may_read: bool  # a rota link works only while its holder is a member or manager
    fetch_due: bool  # last fetch older than FETCH_RECORD_INTERVAL (or never)
    # Personal links: (rota id, plan_version) of every rota the person ever held a duty in,
    # a superset of the feed's rotas (costing at most a spare re-render).
    versions: tuple[tuple[int, int], ...] = ()


# Calendar clients poll every few minutes to hours; recording each poll would turn a cached
# read into a write. One write per link per interval is plenty to show "last fetched".
FETCH_RECORD_INTERVAL = timedelta(minutes=5)


@cache_result
def _access_sql(found_by: str) -> str:
    """The look-up of a link by `found_by`: its token_hash (a poll) or its id (a warm-up)."""
    # Hand-written SQL: building this query with the ORM (two EXISTS, three joins) cost more
    # than the rest of a cached poll together. Table names come from the models.
    token = FeedToken._meta.db_table
    preference = FeedPreference._meta.db_table
    rota = Rota._meta.db_table
    membership = Membership._meta.db_table
    managers = Rota.managers.through._meta.db_table
    user = User._meta.db_table
    assignment = Assignment._meta.db_table
    shift = Shift._meta.db_table
    # A deactivated person's links stop working with their account.
    # A personal link gets one row per rota the person held a duty in (the plan versions for
    # the cache key come with the token, in the same query); other links get one row.
    return (
        f"SELECT t.id, t.user_id, t.kind, t.rota_id, t.token_hash, r.slug, r.plan_version,"
        f" p.reminder_minutes,"
        f" EXISTS(SELECT 1 FROM {membership} m WHERE m.user_id = t.user_id"
        f" AND m.rota_id = t.rota_id)"
        f" OR EXISTS(SELECT 1 FROM {managers} g WHERE g.user_id = t.user_id"
        f" AND g.rota_id = t.rota_id),"
        f" t.last_fetched_at IS NULL OR t.last_fetched_at <= %s,"
        f" r.name, r.description, r.kind,"
        f" u.display_name, u.first_name, u.last_name, u.username, u.time_zone,"
        f" v.id, v.plan_version, v.name, v.kind"
        f" FROM {token} t"
        f" JOIN {user} u ON u.id = t.user_id"
        f" LEFT JOIN {rota} r ON r.id = t.rota_id"
        f" LEFT JOIN {preference} p ON p.user_id = t.user_id"
        f" LEFT JOIN {rota} v ON t.kind = 'personal' AND EXISTS(SELECT 1 FROM {assignment} a"
        f" JOIN {shift} s ON s.id = a.shift_id WHERE a.person_id = t.user_id"
        f" AND s.rota_id = v.id)"
        f" WHERE t.{found_by} = %s AND t.revoked_at IS NULL AND u.is_active"
        f" ORDER BY v.id"
    )


def feed_access_find(plain: str, now: datetime) -> FeedAccess | None:
    """The active link for a plain token from a URL, or None. One query.

    The row is found by its hash (an index look-up reveals nothing useful about a random
    256-bit token) and the hash is then compared in constant time, so no timing difference
    depends on how much of a guess was right.
    """
    digest = feed_token_digest(plain)
    rows = _access_rows("token_hash", digest, now)
    if not rows or not hmac.compare_digest(rows[0][4], digest):
        return None
    return _access(rows)


def _access_rows(found_by: str, value: object, now: datetime) -> list[Any]:
    cutoff = connection.ops.adapt_datetimefield_value(now - FETCH_RECORD_INTERVAL)
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(found_by), [cutoff, value])
        return list(cursor.fetchall())


def _access(rows: list[Any]) -> FeedAccess:
    token_id, user_id, kind, rota_id, _, slug, version, reminder, member, due = rows[0][:10]
    rota_row, person_row = rows[0][10:13], rows[0][13:18]
    rotas = tuple(row[18:22] for row in rows if row[18] is not None)
    if kind == FeedKind.PERSONAL:
        content = _stamp((person_row, tuple((r[0], r[2], r[3]) for r in rotas)))
    else:
        content = _stamp(rota_row)
    return FeedAccess(
        token_id=token_id,
        user_id=user_id,
        kind=kind,
        rota_id=rota_id,
        rota_slug=slug,
        rota_plan_version=version,
        reminder_minutes=reminder,
        content=content,
        may_read=kind == FeedKind.PERSONAL or bool(member),
        fetch_due=bool(due),
        versions=tuple((r[0], r[1]) for r in rotas),
    )


def _stamp(shown: object) -> str:
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:24]


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


def feed_token_active(user: User, kind: str, rota: Rota | None) -> FeedToken | None:
    """The person's link in use for one feed (personal, or one rota's), if any."""
    rota_id = rota.pk if rota is not None and kind == FeedKind.ROTA else None
    return feed_tokens_for(user).filter(kind=kind, rota_id=rota_id, revoked_at=None).first()


def feed_public_rota(slug: str) -> tuple[int, int, str] | None:
    """(id, plan_version, content stamp) of a public rota, or None.

    Raw SQL: the ORM doubled the poll's cost.
    """
    row = _rota_row("slug", slug, public_only=True)
    return row[:3] if row else None


def _rota_row(found_by: str, value: object, public_only: bool) -> tuple[int, int, str, bool] | None:
    """(id, plan_version, content stamp, is_public) of a rota, or None."""
    sql = (
        f"SELECT id, plan_version, name, description, kind, is_public FROM {Rota._meta.db_table}"
        f" WHERE {found_by} = %s" + (" AND is_public" if public_only else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        row = cursor.fetchone()
    return (row[0], row[1], _stamp(tuple(row[2:5])), bool(row[5])) if row else None


# --- documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDocument:
    body: bytes
    etag: str
    # When what the document shows last changed, as Unix time with its fraction: the latest
    # updated_at of its duties (and, in a personal feed, of the co-workers' rows it names), or
    # None for a feed without duties. The views send it in whole seconds and compare it whole
    # (rota/feeds/views.py), so a change in the same second as a client's copy is never hidden.
    last_modified: float | None


def _document(body: bytes, rows: Iterable[Any]) -> FeedDocument:
    changed = max((row.updated_at for row in rows), default=None)
    return FeedDocument(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=changed.timestamp() if changed is not None else None,
    )


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _rota_link(rota: Rota) -> str:
    return settings.SITE_URL + reverse("rota_detail", args=[rota.slug])


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


class _RecentDocuments:
    """A small per-process memo in front of Django's cache.

    Safe without any invalidation because a key never changes meaning: it names the plan
    versions, content stamp, settings and day the document was rendered for, so the document
    under a key is the same in every process, forever. It spares the shared cache's read and
    unpickling of ~100 KiB per poll; the shared cache still makes one render serve every
    process.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, FeedDocument] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> FeedDocument | None:
        with self.lock:
            document = self.items.get(key)
            if document is not None:
                self.items.move_to_end(key)
            return document

    def put(self, key: str, document: FeedDocument) -> None:
        with self.lock:
            self.items[key] = document
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_recent = _RecentDocuments(size=256)


def _cached(key: str, render: Callable[[], FeedDocument]) -> tuple[FeedDocument, bool]:
    """The document under `key` and whether this call rendered it.

    A cache that fails (Redis down) is skipped, not fatal: the feed is rendered from the
    database, as on a miss. The backend is configurable (Redis, files, memory) and each raises
    its own errors, hence the broad except.
    """
    document = _recent.get(key)
    if document is not None:
        return document, False
    try:
        document = cache.get(key)
    except Exception as exc:
        logger.warning("feed cache unavailable, rendering without it: %r", exc)
        document = None
    rendered = document is None
    if document is None:
        document = render()
        try:
            cache.set(key, document, CACHE_TTL_SECONDS)
        except Exception as exc:
            logger.warning("feed cache unavailable, document not stored: %r", exc)
    _recent.put(key, document)
    return document, rendered


# Rendering reads plain rows, not model instances: building ~10 model objects per duty
# (assignment, shift, rota, release, person) cost more than writing the whole calendar.
_DUTY_COLUMNS = (
    "pk",
    "shift_id",
    "role",
    "sequence",
    "updated_at",
    "cancelled_at",
    "explanation",
    "source",
    "person_id",
    "shift__starts_at",
    "shift__ends_at",
    "shift__rota__name",
    "shift__rota__kind",
    "shift__release__version",
    "person__display_name",
    "person__first_name",
    "person__last_name",
    "person__username",
    "person__time_zone",
)


def _person(row: Any, public: bool) -> DutyPerson:
    if public:  # the chosen display name only: no real name, login, e-mail or zone
        return DutyPerson(public_name(row.person__display_name), None)
    name = person_name(
        row.person__display_name,
        row.person__first_name,
        row.person__last_name,
        row.person__username,
    )
    return DutyPerson(name, row.person__time_zone)


def _duty(row: Any, others: list[Any], public: bool) -> Duty:
    return Duty(
        assignment_id=row.pk,
        person=_person(row, public),
        role=row.role,
        rota_name=row.shift__rota__name,
        rota_kind=row.shift__rota__kind,
        release_version=row.shift__release__version,
        starts_at=row.shift__starts_at,
        ends_at=row.shift__ends_at,
        sequence=row.sequence,
        updated_at=row.updated_at,
        cancelled_at=row.cancelled_at,
        explanation=row.explanation,
        source=row.source,
        others=tuple(
            (_person(o, public), o.role)
            for o in others
            if o.pk != row.pk and o.cancelled_at is None
        ),
    )


def _rows(assignments: QuerySet[Assignment]) -> list[Any]:
    return list(
        assignments.order_by("shift__starts_at", "pk").values_list(*_DUTY_COLUMNS, named=True)
    )


def personal_feed_render(user: User, reminder_minutes: int | None, now: datetime) -> FeedDocument:
    mine = _rows(_in_window(Assignment.objects.filter(person=user), now))
    shift_ids = {a.shift_id for a in mine}
    coworkers: dict[int, list[Any]] = {}
    for other in _rows(
        Assignment.objects.active().filter(shift_id__in=shift_ids).exclude(person=user)
    ):
        coworkers.setdefault(other.shift_id, []).append(other)
    spec = FeedSpec(
        name=f"My duties ({settings.SITE_NAME})",
        description=f"Duties of {user.name} in every rota, from {settings.SITE_NAME}.",
        audience="personal",
        host=_host(),
        link=settings.SITE_URL + reverse("duties"),
        owner_zone=user.time_zone,
        reminder_minutes=reminder_minutes,
    )
    body = feed_render(spec, (_duty(a, coworkers.get(a.shift_id, []), False) for a in mine))
    return _document(body, [*mine, *(row for rows in coworkers.values() for row in rows)])


def rota_feed_render(rota: Rota, public: bool, now: datetime) -> FeedDocument:
    rows = _rows(_in_window(Assignment.objects.filter(shift__rota=rota), now))
    by_shift: dict[int, list[Any]] = {}
    for row in rows:
        by_shift.setdefault(row.shift_id, []).append(row)
    spec = FeedSpec(
        name=f"{rota.name} duties ({settings.SITE_NAME})",
        description=rota.description or f"Everyone's duties in {rota.name}.",
        audience="public" if public else "rota",
        host=_host(),
        link=_rota_link(rota),
    )
    return _document(
        feed_render(spec, (_duty(a, by_shift[a.shift_id], public) for a in rows)), rows
    )


def personal_feed_document(access: FeedAccess, now: datetime) -> FeedDocument:
    """No query of its own: the plan versions came with the token. Then a cache read."""
    return _personal_feed_cached(access, now)[0]


def _personal_feed_cached(access: FeedAccess, now: datetime) -> tuple[FeedDocument, bool]:
    key = (
        f"feeds:3:personal:{access.user_id}:{access.reminder_minutes}"
        f":{_day_start(now):%Y%m%d}:{_stamp(access.versions)}:{access.content}"
    )
    user_id, reminder = access.user_id, access.reminder_minutes
    return _cached(key, lambda: personal_feed_render(User.objects.get(pk=user_id), reminder, now))


def feed_documents_forget() -> None:
    """Empty this process's memo (tests, whose rolled-back databases reuse ids)."""
    with _recent.lock:
        _recent.items.clear()


def rota_feed_document(
    rota_id: int, plan_version: int, content: str, public: bool, now: datetime
) -> FeedDocument:
    """No query at all while the rota and its plan are unchanged: just a cache read."""
    document, _ = _rota_feed_cached(rota_id, plan_version, content, public, now)
    return document


def _rota_feed_cached(
    rota_id: int, plan_version: int, content: str, public: bool, now: datetime
) -> tuple[FeedDocument, bool]:
    audience = "public" if public else "rota"
    key = f"feeds:3:{audience}:{rota_id}:{plan_version}:{content}:{_day_start(now):%Y%m%d}"
    return _cached(key, lambda: rota_feed_render(Rota.objects.get(pk=rota_id), public, now))


def rota_feeds_warm(rota_id: int, now: datetime) -> tuple[int, int]:
    """Render the feeds that show a rota and are not cached yet; (rendered, already cached).

    Run after a plan (rota/feeds/tasks.py), so the first poll after a change is a cache read
    like every other: the rota's feed if someone holds a link to it, its public feed if it is
    public, and the personal feed of everyone with a link who holds a duty in it. Each document
    goes under the key a poll computes, so running twice renders nothing the second time.
    """
    row = _rota_row("id", rota_id, public_only=False)
    if row is None:
        return 0, 0
    _, version, content, is_public = row
    outcomes = []
    linked = FeedToken.objects.filter(kind=FeedKind.ROTA, rota_id=rota_id, revoked_at=None)
    if linked.exists():
        outcomes.append(_rota_feed_cached(rota_id, version, content, False, now)[1])
    if is_public:
        outcomes.append(_rota_feed_cached(rota_id, version, content, True, now)[1])
    personal = FeedToken.objects.filter(
        kind=FeedKind.PERSONAL,
        revoked_at=None,
        user__assignments__shift__rota_id=rota_id,
    ).distinct()
    for token_id in personal.values_list("pk", flat=True):
        rows = _access_rows("id", token_id, now)
        if rows:
            outcomes.append(_personal_feed_cached(_access(rows), now)[1])
    rendered = sum(outcomes)
    return rendered, len(outcomes) - rendered


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
