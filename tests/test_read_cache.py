"""rota.read_cache: signed-out reads remembered for a moment in the web process, never longer
than ROTA_READ_CACHE_SECONDS, never for signed-in readers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rota import read_cache
from rota.read_cache import read_cached
from rota.rotas.models import Rota
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    settings.ROTA_READ_CACHE_SECONDS = 2
    now = [1000.0]
    monkeypatch.setattr(read_cache, "_clock", lambda: now[0])
    read_cache.read_cache_clear()
    return now


def test_an_answer_is_remembered_for_the_set_seconds_only(clock: list[float]) -> None:
    reads: list[int] = []

    def read() -> dict[str, int]:
        reads.append(1)
        return {"version": len(reads)}

    assert read_cached("k", read) == {"version": 1}
    clock[0] += 1.9
    answer = read_cached("k", read)
    assert answer == {"version": 1} and len(reads) == 1
    answer["version"] = 99  # each caller has its own copy
    assert read_cached("k", read) == {"version": 1}
    clock[0] += 0.2
    assert read_cached("k", read) == {"version": 2}


def test_zero_seconds_asks_every_time(settings: Any) -> None:
    settings.ROTA_READ_CACHE_SECONDS = 0
    reads: list[int] = []
    for _ in range(3):
        read_cached("k", lambda: reads.append(1))
    assert len(reads) == 3


def test_the_cache_holds_a_bounded_number_of_answers(clock: list[float]) -> None:
    for n in range(read_cache.MOST_ENTRIES + 50):
        read_cached(("key", n), lambda n=n: n)
    assert len(read_cache._entries) == read_cache.MOST_ENTRIES


def test_a_rota_made_private_is_hidden_from_signed_out_visitors_within_the_seconds(
    clock: list[float], review_rota: Rota
) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(is_public=True)
    visitor = Client()
    assert visitor.get("/rotas/pr-review/").status_code == 200
    Rota.objects.filter(pk=review_rota.pk).update(is_public=False)
    assert visitor.get("/api/v1/rotas/pr-review/on-duty/").status_code == 200  # remembered
    clock[0] += 2.1
    assert visitor.get("/rotas/pr-review/").status_code == 302  # asked to log in
    assert visitor.get("/api/v1/rotas/pr-review/on-duty/").status_code in (401, 403, 404)


def test_signed_in_readers_always_ask_the_database(clock: list[float], review_rota: Rota) -> None:
    Rota.objects.filter(pk=review_rota.pk).update(is_public=True)
    Client().get("/rotas/pr-review/")  # remembered for signed-out visitors
    Rota.objects.filter(pk=review_rota.pk).update(is_public=False)
    outsider = Client()
    outsider.force_login(make_user("olga"))
    assert outsider.get("/rotas/pr-review/").status_code == 404
