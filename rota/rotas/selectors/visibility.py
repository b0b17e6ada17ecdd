"""Reads: who may see which rota, and how people are named to them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from rota.read_cache import read_cached
from rota.rotas.models import (
    Membership,
    Rota,
)


def rotas_visible_to(user: User | AnonymousUser) -> QuerySet[Rota]:
    """Public rotas for everyone; private ones for their members, managers and staff."""
    rotas = Rota.objects.all()
    if not user.is_authenticated:
        return rotas.filter(is_public=True)
    if user.is_staff:
        return rotas
    return rotas.filter(Q(is_public=True) | Q(memberships__user=user) | Q(managers=user)).distinct()


def rota_for_viewer(slug: str, user: User | AnonymousUser) -> Rota:
    """The rota with this slug if the viewer may see it; Http404 otherwise (private rotas
    do not reveal that they exist)."""
    return rota_and_knowledge_for_viewer(slug, user)[0]


def rota_and_knowledge_for_viewer(slug: str, user: User | AnonymousUser) -> tuple[Rota, bool]:
    """The rota with this slug if the viewer may see it, and whether the viewer knows its
    people (rota_viewer_knows_people), in one query; Http404 as rota_for_viewer.

    Public rotas, and those one is in or manages, are visible; members, managers and staff
    know the people; staff see every rota. Raw SQL, one text for every viewer (so PostgreSQL
    keeps one prepared plan): compiling the ORM's query cost more than running it, on the
    pages and API reads polled most (measured: 6.1 -> 2.9 ms a request). Table names come
    from the models; values are parameters."""
    if not user.is_authenticated:
        # The reads signed-out visitors and tools repeat most: remembered for a moment.
        rota = read_cached(("public-rota", slug), lambda: _rota_by_slug(slug, None))
        if rota is None or not rota.is_public:
            raise Http404("No such rota.")
        return rota, False
    rota = _rota_by_slug(slug, user.pk)
    knows = rota is not None and (
        user.is_staff or bool(rota.viewer_is_member or rota.viewer_is_manager)  # type: ignore[attr-defined]
    )
    if rota is None or not (rota.is_public or knows):
        raise Http404("No such rota.")
    return rota, knows


def _rota_by_slug(slug: str, user_id: int | None) -> Rota | None:
    rota_table = Rota._meta.db_table
    member_table = Membership._meta.db_table
    managers_table = Rota.managers.through._meta.db_table
    found = list(
        Rota.objects.raw(
            f"SELECT r.*,"
            f" EXISTS (SELECT 1 FROM {member_table} m WHERE m.rota_id = r.id AND m.user_id = %s)"
            f" AS viewer_is_member,"
            f" EXISTS (SELECT 1 FROM {managers_table} g WHERE g.rota_id = r.id AND g.user_id = %s)"
            f" AS viewer_is_manager"
            f" FROM {rota_table} r WHERE r.slug = %s",
            [user_id, user_id, slug],
        )
    )
    return found[0] if found else None


def rota_viewer_knows_people(user: User | AnonymousUser, rota: Rota) -> bool:
    """Members, managers and staff see who is on duty by name and zone; anyone else (a public
    rota's anonymous visitor, a signed-in outsider) sees only chosen display names."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return (
        Membership.objects.filter(rota=rota, user=user).exists()
        or rota.managers.filter(pk=user.pk).exists()
    )


def person_label_for(person: User, *, knows_people: bool) -> str:
    """How a person on duty is named to a viewer: never their username to outsiders."""
    return person.name if knows_people else person.public_name


def rota_ids_known_by(user: User | AnonymousUser) -> set[int] | None:
    """The rotas whose people this viewer may see by name and zone (rota_viewer_knows_people
    for many rotas in two queries); None means every rota (staff)."""
    if not user.is_authenticated:
        return set()
    if user.is_staff:
        return None
    member_of = Membership.objects.filter(user=user).values_list("rota_id", flat=True)
    managing = Rota.objects.filter(managers=user).values_list("pk", flat=True)
    return set(member_of) | set(managing)


def public_rotas_stamp() -> list[tuple[object, ...]]:
    """What the rota list shows of each public rota (its plan's version and its own words),
    for the signed-out list's cache key."""
    return list(
        Rota.objects.filter(is_public=True)
        .order_by("pk")
        .values_list("pk", "plan_version", "name", "description", "kind")
    )
