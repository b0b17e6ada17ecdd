"""Managers' endpoints, with the pages' permission rules: rota_managed_or_deny answers 403 to
anyone who does not manage the rota (whether or not it exists) and the services check again."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rota.api.permissions import SignedIn
from rota.api.serializers.manage import (
    MembershipSerializer,
    OverrideCheckSerializer,
    OverrideDoneSerializer,
    OverrideSerializer,
    PlanPreviewSerializer,
    PlanPublishedSerializer,
    ReleaseMoveSerializer,
    ReleasesAddSerializer,
    RotaSettingsSerializer,
)
from rota.api.serializers.rotas import ReleaseSerializer
from rota.api.views.me import me_of
from rota.rotas.dashboard import rota_managed_or_deny, rotas_managed_by
from rota.rotas.directory import memberships_of_rota
from rota.rotas.models import Membership, Release, Rota
from rota.rotas.on_duty import rota_releases
from rota.rotas.overrides import assignment_override, assignment_override_check
from rota.rotas.publishing import rota_plan_preview, rota_plan_publish
from rota.rotas.releases import release_cancel, release_move, releases_add, rota_settings_save


class ManagedRotaList(generics.ListAPIView[Rota]):
    """The rotas you manage (every rota for staff)."""

    permission_classes = [SignedIn]
    serializer_class = RotaSettingsSerializer

    def get_queryset(self) -> Any:
        return rotas_managed_by(self.request.user).order_by("name", "pk")


class ManagedRota(APIView):
    """A rota's settings; PATCH changes them (the rota is validated whole and re-planned)."""

    permission_classes = [SignedIn]

    @extend_schema(responses=RotaSettingsSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return Response(RotaSettingsSerializer(rota_managed_or_deny(request.user, slug)).data)

    @extend_schema(request=RotaSettingsSerializer, responses=RotaSettingsSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        data = RotaSettingsSerializer(rota, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changed = [f for f, v in data.validated_data.items() if getattr(rota, f) != v]
        for field, value in data.validated_data.items():
            setattr(rota, field, value)
        rota_settings_save(me_of(request), rota, changed)
        return Response(RotaSettingsSerializer(rota).data)


class ManagedMemberships(generics.ListAPIView[Membership]):
    """Everyone in the rota, with their roles and limits."""

    permission_classes = [SignedIn]
    serializer_class = MembershipSerializer

    def get_queryset(self) -> Any:
        return memberships_of_rota(rota_managed_or_deny(self.request.user, self.kwargs["slug"]))


class ManagedReleases(generics.ListAPIView[Release]):
    """The rota's releases with lead and shadow; POST adds releases (each re-plans)."""

    permission_classes = [SignedIn]
    serializer_class = ReleaseSerializer

    def get_queryset(self) -> Any:
        return rota_releases(rota_managed_or_deny(self.request.user, self.kwargs["slug"]))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "knows_people": True}

    @extend_schema(request=ReleasesAddSerializer, responses={201: ReleaseSerializer(many=True)})
    def post(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        data = ReleasesAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = releases_add(
            me_of(request),
            rota,
            [(r["version"], r["date"]) for r in data.validated_data["releases"]],
            reason=data.validated_data["reason"],
        )
        found = rota_releases(rota).filter(pk__in=[r.pk for r in created])
        body = ReleaseSerializer(found, many=True, context={"knows_people": True}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ManagedRelease(APIView):
    """Move a release to another date (PATCH) or cancel it (DELETE); both re-plan."""

    permission_classes = [SignedIn]

    def _release_id(self, request: Request, slug: str, release_id: int) -> int:
        rota = rota_managed_or_deny(request.user, slug)
        if not Release.objects.filter(pk=release_id, rota=rota).exists():
            raise Http404("No such release.")
        return release_id

    @extend_schema(request=ReleaseMoveSerializer, responses=ReleaseSerializer)
    def patch(self, request: Request, slug: str, release_id: int) -> Response:
        release_id = self._release_id(request, slug, release_id)
        data = ReleaseMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moved = release_move(
            me_of(request), release_id, data.validated_data["date"],
            reason=data.validated_data["reason"],
        )  # fmt: skip
        found = rota_releases(moved.rota).get(pk=moved.pk)
        return Response(ReleaseSerializer(found, context={"knows_people": True}).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, slug: str, release_id: int) -> Response:
        release_cancel(me_of(request), self._release_id(request, slug, release_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ManagedOverride(APIView):
    """Put a person on a seat (or replace who holds it), with a reason; `dry_run` only checks
    the swap rules and the planner's rules and shows the coverage before and after."""

    permission_classes = [SignedIn]

    @extend_schema(
        request=OverrideSerializer,
        responses={200: OverrideCheckSerializer, 201: OverrideDoneSerializer},
    )
    def post(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        if not rota.shifts.filter(pk=given["shift"]).exists():
            raise Http404("No such shift in this rota.")
        if given["dry_run"]:
            check = assignment_override_check(
                me_of(request), given["shift"], given["role"], given["person"],
                replace_id=given["replace"], now=timezone.now(),
            )  # fmt: skip
            return Response(OverrideCheckSerializer(check).data)
        taken = assignment_override(
            me_of(request), given["shift"], given["role"], given["person"], given["reason"],
            replace_id=given["replace"], now=timezone.now(),
        )  # fmt: skip
        return Response(OverrideDoneSerializer(taken).data, status=status.HTTP_201_CREATED)


class ManagedPlanPreview(APIView):
    """A dry run of a re-plan: the difference it would make and the metrics before/after."""

    permission_classes = [SignedIn]

    @extend_schema(request=None, responses=PlanPreviewSerializer)
    def post(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        return Response(PlanPreviewSerializer(rota_plan_preview(me_of(request), rota)).data)


class ManagedPlanPublish(APIView):
    """Re-plan now and publish it."""

    permission_classes = [SignedIn]

    @extend_schema(request=None, responses=PlanPublishedSerializer)
    def post(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        return Response(PlanPublishedSerializer(rota_plan_publish(me_of(request), rota)).data)
