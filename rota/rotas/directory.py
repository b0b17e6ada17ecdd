"""Reads about people for callers outside the pages (the API): a person's public profile and
a rota's memberships for its managers.

A person is named as the pages name them: by their chosen display name to anyone who does not
share a rota with them, never by e-mail, login or real name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from rota.rotas.models import Membership, Rota
from rota.rotas.selectors import person_label_for, rota_ids_known_by, rotas_visible_to


@dataclass(frozen=True)
class PersonProfile:
    person_id: int
    name: str
    organisation: str
    time_zone: str | None  # only for viewers who share a rota with them (as on rota pages)
    rotas: list[Rota]


def person_profile_for(viewer: User | AnonymousUser, person_id: int) -> PersonProfile:
    """The person as this viewer may see them. Http404 unless the viewer is them, staff, or
    can see a rota the person belongs to: nobody learns that a hidden person exists."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404("No such person.")
    rotas = list(
        rotas_visible_to(viewer).filter(memberships__user_id=person_id).distinct().order_by("name")
    )
    is_self = viewer.is_authenticated and viewer.pk == person_id
    if not rotas and not is_self and not viewer.is_staff:
        raise Http404("No such person.")
    known = rota_ids_known_by(viewer)
    knows = is_self or known is None or any(rota.pk in known for rota in rotas)
    return PersonProfile(
        person.pk,
        person_label_for(person, knows_people=knows),
        person.organisation,
        person.time_zone if knows else None,
        rotas,
    )


def memberships_of_rota(rota: Rota) -> QuerySet[Membership]:
    """Everyone in a rota, with their person, by name (for its managers)."""
    return (
        Membership.objects.filter(rota=rota)
        .select_related("user")
        .order_by("user__display_name", "user__username", "pk")
    )
