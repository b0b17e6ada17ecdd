"""The time zone a visitor reads schedules in, and remembering their choice.

The zone comes from, in order: the page's `tz` parameter (remembered in a cookie, so the next
page keeps it), the remembered choice, a signed-in person's own zone, the browser's zone
(rota.js stores it in a cookie) and UTC. Without any of those the page says it guessed, and
rota.js reloads it once after storing the browser's zone.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest, HttpResponse

from accounts.models import User
from rota.rotas.models import Rota

ZONE_COOKIE = "rota_zone"
BROWSER_ZONE_COOKIE = "rota_browser_zone"
ZONE_COOKIE_SECONDS = 365 * 24 * 3600


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_or_none(name: str | None) -> str | None:
    """An IANA zone name as given, or None when it is not one (a cookie or a link can carry
    anything)."""
    if not name or len(name) > 64:
        return None
    if name.upper() == "UTC":
        return "UTC"
    return name if name in _zones() else None


@dataclass(frozen=True)
class ZoneChoice:
    zone: str
    label: str


@dataclass(frozen=True)
class ViewerZone:
    zone: str
    label: str
    choices: list[ZoneChoice]
    # A valid `tz` the page was asked for: the response stores it.
    chosen: str | None = None
    # The `tz` asked for was not a zone: the page says so and shows `zone` instead.
    refused: str | None = None
    # Nothing told us the visitor's zone: UTC, and rota.js may reload with the browser's.
    guessed: bool = False


def _choices(pairs: list[tuple[str | None, str]]) -> list[ZoneChoice]:
    """One choice per zone, its labels joined: a rota run in UTC offers "UTC" once."""
    labels: dict[str, list[str]] = {}
    for zone, label in pairs:
        if zone is not None:
            labels.setdefault(zone, [])
            if label and label not in labels[zone]:
                labels[zone].append(label)
    return [
        ZoneChoice(zone, f"{zone} ({', '.join(names)})" if names else zone)
        for zone, names in labels.items()
    ]


def viewer_zone(request: HttpRequest, rota: Rota | None = None) -> ViewerZone:
    user = request.user
    own = user.time_zone if isinstance(user, User) and user.is_authenticated else None
    browser = zone_or_none(request.COOKIES.get(BROWSER_ZONE_COOKIE))
    remembered = zone_or_none(request.COOKIES.get(ZONE_COOKIE))
    asked = request.GET.get("tz", "")
    # Links from before zones were named: ?tz=rota and ?tz=utc.
    chosen = rota.handoff_zone if asked == "rota" and rota else zone_or_none(asked)
    choices = _choices(
        [
            (own, "your zone"),
            (browser, "your browser's zone" if browser != own else ""),
            (rota.handoff_zone if rota else None, "the rota's zone"),
            (remembered, ""),
            (chosen, ""),
            ("UTC", ""),
        ]
    )
    zone = chosen or remembered or own or browser or "UTC"
    label = next(c.label for c in choices if c.zone == zone)
    return ViewerZone(
        zone,
        label,
        choices,
        chosen=chosen,
        refused=asked if asked and chosen is None else None,
        guessed=not (chosen or remembered or own or browser),
    )


def viewer_zone_remember(
    request: HttpRequest, response: HttpResponse, viewer: ViewerZone
) -> HttpResponse:
    if viewer.chosen:
        response.set_cookie(
            ZONE_COOKIE,
            viewer.chosen,
            max_age=ZONE_COOKIE_SECONDS,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
