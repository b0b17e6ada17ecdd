"""Reads for everyone: anonymous callers see public rotas only (rotas_visible_to)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rota.api.permissions import ReadsForEveryone, SignedIn
from rota.api.serializers.rotas import (
    ComponentSerializer,
    FairnessSerializer,
    OnDutySerializer,
    PersonProfileSerializer,
    ReleaseSerializer,
    RotaSerializer,
    ShiftRangeQuerySerializer,
    ShiftSerializer,
)
from rota.github.selectors import components_with_contacts
from rota.rotas.dashboard import rota_managed_or_deny
from rota.rotas.directory import person_profile_for
from rota.rotas.fairness import fairness_report
from rota.rotas.models import Release, Rota, Shift
from rota.rotas.on_duty import rota_on_duty_answer, rota_releases, rota_shifts_between
from rota.rotas.selectors import (
    rota_and_knowledge_for_viewer,
    rota_for_viewer,
    rota_viewer_knows_people,
    rotas_visible_to,
)


class RotaList(generics.ListAPIView[Rota]):
    """The rotas you may see: public ones, and private ones you are in or manage."""

    permission_classes = [ReadsForEveryone]
    serializer_class = RotaSerializer

    def get_queryset(self) -> Any:
        return rotas_visible_to(self.request.user).order_by("name", "pk")


class RotaDetail(generics.RetrieveAPIView[Rota]):
    permission_classes = [ReadsForEveryone]
    serializer_class = RotaSerializer
    lookup_field = "slug"

    def get_object(self) -> Rota:
        return rota_for_viewer(self.kwargs["slug"], self.request.user)


class RotaOnDuty(APIView):
    """Who is on duty now and who is next, with each person's local time and whether they are
    inside their working hours (for callers who know the rota's people). Answers are for the
    current minute and may be up to a minute old."""

    permission_classes = [ReadsForEveryone]

    @extend_schema(responses=OnDutySerializer)
    def get(self, request: Request, slug: str) -> Response:
        rota, knows_people = rota_and_knowledge_for_viewer(slug, request.user)
        context = {"zone": rota.handoff_zone}
        return Response(
            rota_on_duty_answer(
                rota,
                request.user,
                timezone.now(),
                lambda found: dict(OnDutySerializer(found, context=context).data),
                knows_people=knows_people,
            )
        )


class RotaShifts(generics.ListAPIView[Shift]):
    """The rota's shifts overlapping [from, to), in UTC with the rota's zone given."""

    permission_classes = [ReadsForEveryone]
    serializer_class = ShiftSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, required=True, description="ISO 8601 instant"),
            OpenApiParameter("to", str, required=True, description="ISO 8601 instant"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        self.rota = rota_for_viewer(self.kwargs["slug"], self.request.user)
        query = ShiftRangeQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return rota_shifts_between(
            self.rota, query.validated_data["from"], query.validated_data["to"]
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        rota = getattr(self, "rota", None)
        if rota is not None:
            context["zone"] = rota.handoff_zone
            context["knows_people"] = rota_viewer_knows_people(self.request.user, rota)
        return context


class RotaReleases(generics.ListAPIView[Release]):
    """The rota's releases by date, with the lead and shadow on duty for each."""

    permission_classes = [ReadsForEveryone]
    serializer_class = ReleaseSerializer

    def get_queryset(self) -> Any:
        self.rota = rota_for_viewer(self.kwargs["slug"], self.request.user)
        return rota_releases(self.rota)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        rota = getattr(self, "rota", None)
        if rota is not None:
            context["knows_people"] = rota_viewer_knows_people(self.request.user, rota)
        return context


class RotaFairness(APIView):
    """The fairness of the rota's published plan, from the planner's metrics (managers)."""

    permission_classes = [SignedIn]

    @extend_schema(responses=FairnessSerializer)
    def get(self, request: Request, slug: str) -> Response:
        rota = rota_managed_or_deny(request.user, slug)
        return Response(FairnessSerializer(fairness_report(rota, timezone.now())).data)


class ComponentList(generics.ListAPIView[Any]):
    """Components with their owners and their point of contact this week."""

    permission_classes = [ReadsForEveryone]
    serializer_class = ComponentSerializer

    def get_queryset(self) -> Any:
        grouped = components_with_contacts(timezone.now(), self.request.user)
        return [view for _repository, views in grouped for view in views]


class PersonDetail(APIView):
    """A person's public profile: never their e-mail, login or (to outsiders) real name."""

    permission_classes = [ReadsForEveryone]

    @extend_schema(responses=PersonProfileSerializer)
    def get(self, request: Request, person_id: int) -> Response:
        return Response(PersonProfileSerializer(person_profile_for(request.user, person_id)).data)
