"""Who may call what, at the door only. Which rotas, people and duties a caller may see or
change is decided by the selectors and services the views call, as for the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request

if TYPE_CHECKING:
    from rest_framework.views import APIView


class ReadsForEveryone(BasePermission):
    """Anonymous callers may read (the selectors show them public rotas only)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


SignedIn = IsAuthenticated
