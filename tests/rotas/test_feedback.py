"""Every action says what it did (Django's messages), and leaving a rota asks first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from rota.rotas.models import Assignment, Membership, Rota, SwapRequest
from tests.accounts.test_views import signup_data
from tests.conftest import make_user
from tests.rotas.duties import make_duty, make_shift

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 9, 9, tzinfo=UTC)  # 14:30 in Kolkata


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def duty(member: Membership) -> Assignment:
    return make_duty(make_shift(member.rota, NEXT_MONDAY), member.user)


@pytest.fixture
def others(review_rota: Rota) -> list[User]:
    people = []
    for name, zone, country in [("tara", "Europe/London", "GB"), ("uma", "Europe/Madrid", "ES")]:
        person = make_user(name, time_zone=zone, country=country)
        Membership.objects.create(user=person, rota=review_rota, roles=["reviewer"])
        people.append(person)
    return people


def test_signing_up_welcomes_the_person_and_names_the_rotas_joined(
    client: Client, review_rota: Rota
) -> None:
    response = client.post(
        "/signup/", signup_data(roles=[f"{review_rota.pk}:reviewer"]), follow=True
    )
    assert said(response) == ["Welcome to Rota, Priya. You joined PR review (reviewer)."]


@time_machine.travel(NOW, tick=False)
def test_asking_for_a_swap_says_how_many_people_can_take_it(
    client: Client, duty: Assignment, others: list[User]
) -> None:
    client.force_login(duty.person)
    response = client.post("/swaps/new/", {"duty": duty.pk, "message": "Exams"}, follow=True)
    assert said(response) == [
        "You asked for someone to take the reviewer duty on PR review from Monday 9 March 2026,"
        " 14:30. 2 people can take it: they see your request on their Swaps page, and the duty"
        " stays yours until one of them takes it."
    ]


@time_machine.travel(NOW, tick=False)
def test_asking_a_named_person_or_nobody_eligible_says_so(
    client: Client, duty: Assignment, others: list[User]
) -> None:
    client.force_login(duty.person)
    response = client.post("/swaps/new/", {"duty": duty.pk, "target": others[0].pk}, follow=True)
    assert "We told Tara; the duty stays yours until they take it." in said(response)[0]
    SwapRequest.objects.all().delete()
    Membership.objects.filter(user__in=others).update(paused=True)
    response = client.post("/swaps/new/", {"duty": duty.pk}, follow=True)
    assert "Nobody can take it just now" in said(response)[0]


@time_machine.travel(NOW, tick=False)
def test_taking_and_withdrawing_a_swap_say_what_happened(
    client: Client, duty: Assignment, others: list[User]
) -> None:
    swap = SwapRequest.objects.create(assignment=duty, requester=duty.person)
    client.force_login(others[0])  # Tara, Europe/London
    response = client.post("/swaps/take/", {"id": swap.pk}, follow=True)
    assert said(response) == [
        "You took Vera's reviewer duty on PR review from Monday 9 March 2026, 09:00."
        " It is in your duties now."
    ]
    assert "You took Vera" in response.content.decode()  # shown on the page it lands on
    mine = make_duty(make_shift(duty.shift.rota, datetime(2026, 3, 16, 9, tzinfo=UTC)), others[0])
    swap = SwapRequest.objects.create(assignment=mine, requester=others[0])
    response = client.post("/swaps/withdraw/", {"id": swap.pk}, follow=True)
    assert said(response) == [
        "You withdrew your swap request for the reviewer duty on PR review from Monday 16 March"
        " 2026, 09:00; the duty stays yours."
    ]


@time_machine.travel(NOW, tick=False)
def test_pausing_resuming_and_leaving_say_what_happens_to_my_duties(
    client: Client, member: Membership
) -> None:
    client.force_login(member.user)
    response = client.post("/me/rotas/pause/", {"id": member.pk}, follow=True)
    assert said(response) == [
        "You paused PR review; duties in the next 2 weeks stay yours, later ones go to others."
    ]
    response = client.post("/me/rotas/resume/", {"id": member.pk}, follow=True)
    assert said(response)[0].startswith("You are back in PR review")
    response = client.post("/me/rotas/leave/", {"id": member.pk}, follow=True)
    assert said(response) == ["You left PR review; duties in the next 2 weeks stay yours."]


def test_leaving_a_rota_asks_first_on_its_own_page(
    client: Client, member: Membership, outsider: User
) -> None:
    client.force_login(member.user)
    my_rotas = client.get("/me/rotas/").content.decode()
    assert f'href="/me/rotas/leave/?id={member.pk}"' in my_rotas
    assert 'action="/me/rotas/leave/"' not in my_rotas  # no one-click leave
    page = client.get(f"/me/rotas/leave/?id={member.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "Leave PR review?" in html
    assert 'action="/me/rotas/leave/"' in html and "Stay in PR review" in html
    assert Membership.objects.filter(pk=member.pk).exists()  # asking changed nothing
    for bad in ["", "?id=abc", "?id=999999"]:
        assert client.get(f"/me/rotas/leave/{bad}").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/me/rotas/leave/?id={member.pk}").status_code == 404
