"""Reads of the rota domain."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import User
from rota.rotas.models import Rota


def rotas_visible_to(user: User | AnonymousUser) -> QuerySet[Rota]:
    """Public rotas for everyone; private ones for their members, managers and staff."""
    rotas = Rota.objects.all()
    if not user.is_authenticated:
        return rotas.filter(is_public=True)
    if user.is_staff:
        return rotas
    return rotas.filter(Q(is_public=True) | Q(memberships__user=user) | Q(managers=user)).distinct()
