"""Feed fixtures: duties written straight to the database, a fixed clock, feed links."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from rota.feeds.models import FeedKind, FeedToken
from rota.feeds.selectors import feed_documents_forget
from rota.feeds.services import feed_token_create
from rota.rotas.models import Assignment, Release, Rota, Shift

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _forget_feed_documents() -> None:
    feed_documents_forget()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def duty_create(
    rota: Rota,
    person: User,
    starts_at: datetime,
    days: int = 7,
    role: str = "reviewer",
    release: Release | None = None,
) -> Assignment:
    shift, _ = Shift.objects.get_or_create(
        rota=rota,
        key=f"{rota.pk}:{starts_at:%Y%m%dT%H%M}",
        defaults={"starts_at": starts_at, "ends_at": starts_at + timedelta(days=days)},
    )
    if release is not None:
        shift.release = release
        shift.save(update_fields=["release"])
    return Assignment.objects.create(shift=shift, person=person, role=role)


def feed_link(user: User, rota: Rota | None = None) -> tuple[FeedToken, str]:
    kind = FeedKind.ROTA if rota else FeedKind.PERSONAL
    return feed_token_create(user, kind, rota, NOW)
