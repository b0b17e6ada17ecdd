"""Everything Rota holds about one person, as plain JSON-ready data."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import Q

from accounts.models import DUTY_LIMIT_FIELDS, ApiToken, User
from rota.feeds.models import FeedToken
from rota.notifications.models import NoticeOptOut
from rota.notifications.preferences import reminder_working_days_of
from rota.notifications.selectors import notices_of
from rota.rotas.models import Assignment, ManagerAction, Membership, SwapRequest

EXPORT_FORMAT = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _rows(queryset: Any, *fields: str) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in queryset.values(*fields)]


def person_data_export(user: User, now: datetime) -> dict[str, Any]:
    """The person's profile, availability, rotas, duties, swaps, feeds and notices."""
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "profile": {
            field: _plain(getattr(user, field))
            for field in (
                "username",
                "email",
                "first_name",
                "last_name",
                "display_name",
                "github_login",
                "time_zone",
                "country",
                "organisation",
                "count_public_holidays",
                *DUTY_LIMIT_FIELDS,
                "date_joined",
                "last_login",
            )
        },
        "working_hours": _rows(
            user.working_hours.all(), "weekday", "start", "end", "ends_next_day"
        ),
        "time_off": _rows(user.time_off.all(), "start", "end", "note", "created_at"),
        "memberships": _rows(
            Membership.objects.filter(user=user),
            "rota__name",
            "roles",
            "min_weeks_between",
            "max_duties",
            "paused",
            "joined_at",
        ),
        "duties": _rows(
            Assignment.objects.filter(person=user).order_by("shift__starts_at", "pk"),
            "shift__rota__name",
            "shift__starts_at",
            "shift__ends_at",
            "role",
            "source",
            "explanation",
            "created_at",
            "cancelled_at",
        ),
        "swap_requests": _rows(
            SwapRequest.objects.filter(
                Q(requester=user) | Q(target=user) | Q(taken_by=user)
            ).order_by("created_at", "pk"),
            "assignment__shift__rota__name",
            "assignment__shift__starts_at",
            "requester__username",
            "target__username",
            "taken_by__username",
            "message",
            "status",
            "created_at",
            "decided_at",
        ),
        "managed_rotas": list(user.managed_rotas.values_list("name", flat=True)),
        "manager_actions": _rows(
            ManagerAction.objects.filter(actor=user).order_by("created_at", "pk"),
            "rota__name",
            "kind",
            "summary",
            "reason",
            "created_at",
        ),
        "calendar_feeds": _rows(
            FeedToken.objects.filter(user=user),
            "kind",
            "rota__name",
            "hint",
            "created_at",
            "revoked_at",
            "last_fetched_at",
        ),
        "api_tokens": _rows(
            ApiToken.objects.filter(user=user).order_by("created_at", "pk"),
            "name",
            "hint",
            "created_at",
            "last_used_at",
            "revoked_at",
        ),
        "notices": _rows(
            notices_of(user), "kind", "subject", "status", "attempts", "created_at", "sent_at"
        ),
        "reminder_working_days": reminder_working_days_of([user.pk])[user.pk],
        "notices_muted": list(
            NoticeOptOut.objects.filter(user=user).values_list("kind", flat=True)
        ),
    }
