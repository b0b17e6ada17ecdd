"""The demo community: a realistic spread of people, zones and organisations.

Used by `manage.py seed_demo` (and so by `make run`) and by tests that want a whole community.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.availability import WindowSpec
from accounts.models import User
from accounts.services import working_hours_replace
from rota.rotas.models import Membership, Rota, RotaKind

DEMO_PASSWORD = "rota-demo-password"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    name: str
    zone: str
    country: str
    organisation: str


# (zone, country, how many) - Asia-Pacific, Europe and the Americas, as in real communities.
_ZONES = [
    ("Asia/Kolkata", "IN", 6),
    ("Asia/Shanghai", "CN", 6),
    ("Asia/Tokyo", "JP", 3),
    ("Australia/Sydney", "AU", 3),
    ("Asia/Kathmandu", "NP", 1),
    ("Europe/Berlin", "DE", 6),
    ("Europe/London", "GB", 4),
    ("Europe/Madrid", "ES", 3),
    ("America/New_York", "US", 5),
    ("America/Los_Angeles", "US", 4),
    ("America/Sao_Paulo", "BR", 3),
]
_ORGANISATIONS = ["Intel", "Ant Group", "Red Hat", "IBM", "Microsoft", "NVIDIA", "independent"]
_GIVEN = {
    "IN": ["Priya", "Arjun", "Ananya", "Rahul", "Kavya", "Vikram"],
    "CN": ["Wei 伟", "Li Na 丽娜", "Jun 俊", "Mei 梅", "Hao 浩", "Xin 欣"],
    "JP": ["Haruto 陽翔", "Yui 結衣", "Sota 蒼太"],
    "AU": ["Olivia", "Jack", "Mia"],
    "NP": ["Sujan"],
    "DE": ["Jürgen", "Anna", "Lukas", "Sophie", "Maximilian", "Lena"],
    "GB": ["Oliver", "Amelia", "Harry", "Isla"],
    "ES": ["Lucía", "Mateo", "Sofía"],
    "US": ["Emma", "Liam", "Ava", "Noah", "Chloé", "Ethan", "Grace", "Mason", "Zoë"],
    "BR": ["João", "Beatriz", "Gabriel"],
}


def demo_people() -> list[DemoPerson]:
    people: list[DemoPerson] = []
    used: dict[str, int] = {}
    for zone, country, count in _ZONES:
        start = used.get(country, 0)
        names = _GIVEN[country][start : start + count]
        used[country] = start + count
        for name in names:
            index = len(people)
            username = name.split()[0].lower()
            username = username.translate(str.maketrans("üéëöóíáãçô", "ueeooiaaco"))
            people.append(
                DemoPerson(
                    username=f"{username}{index}",
                    name=name,
                    zone=zone,
                    country=country,
                    organisation=_ORGANISATIONS[index % len(_ORGANISATIONS)],
                )
            )
    return people


@dataclass(frozen=True)
class DemoCommunity:
    admin: User
    people: list[User]
    rotas: list[Rota]


class NotEmpty(Exception):
    """The database already has people or rotas; the demo never overwrites them."""


@transaction.atomic
def demo_community_create(today: date, seed: int = 7) -> DemoCommunity:
    if User.objects.exists() or Rota.objects.exists():
        raise NotEmpty("The database is not empty; the demo is only seeded into an empty one.")
    rng = random.Random(seed)
    admin = User.objects.create_superuser(
        username="admin",
        email="admin@example.org",
        password=DEMO_PASSWORD,
        display_name="Demo release manager",
        time_zone="Europe/Berlin",
        country="DE",
    )
    review = Rota.objects.create(
        name="PR review",
        slug="pr-review",
        kind=RotaKind.REVIEW,
        description="Several reviewers a week, covering as many hours of the day as possible.",
        handoff_weekday=0,
        handoff_time=time(9),
        handoff_zone="UTC",
        seats=2,
        min_coverage_hours=16,
        new_member_weeks_between=4,  # as its demo members: nobody joins more available
    )
    release = Rota.objects.create(
        name="Release",
        slug="release",
        kind=RotaKind.RELEASE,
        description="A lead and a shadow for every release.",
        handoff_weekday=2,
        handoff_time=time(14),
        handoff_zone="Europe/Berlin",
        release_every_weeks=4,
        release_weekday=2,
        release_window_days=7,
        horizon_weeks=52,
    )
    triage = Rota.objects.create(
        name="Issue triage",
        slug="triage",
        kind=RotaKind.TRIAGE,
        description="One person a week labels and routes new issues.",
        handoff_weekday=0,
        handoff_time=time(0),
        handoff_zone="Asia/Shanghai",
        seats=1,
        is_public=False,
        new_member_weeks_between=4,
    )
    for rota in (review, release, triage):
        rota.managers.add(admin)

    # Hash the shared demo password once: dozens of PBKDF2 rounds would make seeding slow.
    password_hash = make_password(DEMO_PASSWORD)
    people = []
    for spec in demo_people():
        user = User.objects.create(
            username=spec.username,
            email=f"{spec.username}@example.org",
            password=password_hash,
            display_name=spec.name,
            github_login=f"{spec.username}-demo",
            time_zone=spec.zone,
            country=spec.country,
            organisation=spec.organisation,
            count_public_holidays=rng.random() < 0.5,
        )
        start_hour = rng.choice([8, 9, 9, 10])
        windows = [WindowSpec(day, time(start_hour), time(start_hour + 8)) for day in range(5)]
        working_hours_replace(user, windows)
        if rng.random() < 0.35:
            first = today + timedelta(days=rng.randrange(7, 150))
            user.time_off.create(
                start=first, end=first + timedelta(days=rng.randrange(2, 14)), note="Holiday"
            )
        people.append(user)

    for index, user in enumerate(people):
        Membership.objects.create(user=user, rota=review, roles=["reviewer"], min_weeks_between=4)
        if index % 3 == 0:
            Membership.objects.create(
                user=user, rota=release, roles=["lead", "shadow"] if index % 2 else ["shadow"]
            )
        if index % 4 == 1:
            Membership.objects.create(
                user=user, rota=triage, roles=["triager"], min_weeks_between=4
            )
    return DemoCommunity(admin=admin, people=people, rotas=[review, release, triage])
