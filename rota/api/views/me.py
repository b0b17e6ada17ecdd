"""The caller's own profile, availability, duties, feed links and swap requests.

Writes call the same services as the pages, so a change of availability re-plans the person's
rotas and the answer says what changed in their duties.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import TimeOff, User
from accounts.selectors import time_off_upcoming_for, user_local_now, working_windows_for
from rota.api.errors import Conflict
from rota.api.permissions import SignedIn
from rota.api.serializers.me import (
    DutySerializer,
    DutyWhenQuerySerializer,
    FeedLinkCreatedSerializer,
    FeedLinkCreateSerializer,
    FeedLinkSerializer,
    ProfileSerializer,
    ReplanOutcomeSerializer,
    SwapRequestCreateSerializer,
    SwapRequestSerializer,
    SwapTakeSerializer,
    TimeOffChangedSerializer,
    TimeOffSerializer,
    WorkingHoursSerializer,
    replan_outcome,
    swap_view,
)
from rota.feeds.selectors import feed_tokens_for, feed_urls
from rota.feeds.services import feed_token_create, feed_token_revoke
from rota.rotas import services
from rota.rotas.selectors import (
    duties_for_person,
    rotas_visible_to,
    swap_request_of,
    swap_requests_by,
    swap_requests_open_for,
)


def me_of(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class Me(APIView):
    """Your profile. A change of zone, country or holidays re-plans your rotas."""

    permission_classes = [SignedIn]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(me_of(request)).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        me = me_of(request)
        data = ProfileSerializer(me, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.contributor_availability_save(
            me, profile=dict(data.validated_data), windows=working_windows_for(me)
        )
        me.refresh_from_db()
        return Response(ProfileSerializer(me).data)


class MyWorkingHours(APIView):
    """Your weekly working hours in your own zone; PUT replaces them all and re-plans."""

    permission_classes = [SignedIn]

    @extend_schema(responses=WorkingHoursSerializer)
    def get(self, request: Request) -> Response:
        return Response(WorkingHoursSerializer(working_windows_for(me_of(request))).data)

    @extend_schema(request=WorkingHoursSerializer, responses=ReplanOutcomeSerializer)
    def put(self, request: Request) -> Response:
        data = WorkingHoursSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = services.contributor_availability_save(
            me_of(request), profile={}, windows=data.validated_data["windows"]
        )
        return Response(replan_outcome(changes))


def _today(me: User) -> Any:
    return user_local_now(me, timezone.now()).date()


class MyTimeOffList(generics.ListAPIView[TimeOff]):
    """Your time off from your today on; POST adds an entry and re-plans."""

    permission_classes = [SignedIn]
    serializer_class = TimeOffSerializer

    def get_queryset(self) -> Any:
        me = me_of(self.request)
        return time_off_upcoming_for(me, _today(me))

    @extend_schema(request=TimeOffSerializer, responses={201: TimeOffChangedSerializer})
    def post(self, request: Request) -> Response:
        me = me_of(request)
        data = TimeOffSerializer(data=request.data, context={"today": _today(me)})
        data.is_valid(raise_exception=True)
        before = set(me.time_off.values_list("pk", flat=True))
        changes = services.contributor_time_off_add(me, **data.validated_data)
        created = me.time_off.exclude(pk__in=before).order_by("-pk").first()
        body = {"time_off": TimeOffSerializer(created).data, "replan": replan_outcome(changes)}
        return Response(body, status=status.HTTP_201_CREATED)


class MyTimeOff(APIView):
    """One of your time-off entries: change it or delete it (each re-plans)."""

    permission_classes = [SignedIn]

    def _own(self, request: Request, time_off_id: int) -> TimeOff:
        found = me_of(request).time_off.filter(pk=time_off_id).first()
        if found is None:
            raise Http404("No such time off.")
        return found

    @extend_schema(responses=TimeOffSerializer)
    def get(self, request: Request, time_off_id: int) -> Response:
        return Response(TimeOffSerializer(self._own(request, time_off_id)).data)

    @extend_schema(request=TimeOffSerializer, responses=TimeOffChangedSerializer)
    def put(self, request: Request, time_off_id: int) -> Response:
        me = me_of(request)
        self._own(request, time_off_id)
        data = TimeOffSerializer(data=request.data, context={"today": _today(me)})
        data.is_valid(raise_exception=True)
        try:
            changes = services.contributor_time_off_change(me, time_off_id, **data.validated_data)
        except PermissionDenied:
            raise Http404("No such time off.") from None
        body = {
            "time_off": TimeOffSerializer(self._own(request, time_off_id)).data,
            "replan": replan_outcome(changes),
        }
        return Response(body)

    @extend_schema(responses=TimeOffChangedSerializer)
    def delete(self, request: Request, time_off_id: int) -> Response:
        try:
            changes = services.contributor_time_off_remove(me_of(request), time_off_id)
        except PermissionDenied:
            raise Http404("No such time off.") from None
        return Response({"time_off": None, "replan": replan_outcome(changes)})


class MyDuties(generics.ListAPIView[Any]):
    """Your duties: upcoming (running or future) or recent (ended in the last six weeks)."""

    permission_classes = [SignedIn]
    serializer_class = DutySerializer

    @extend_schema(parameters=[DutyWhenQuerySerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = DutyWhenQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        when = query.validated_data["when"]
        return duties_for_person(me_of(self.request), timezone.now())[when]


class MyFeedLinks(generics.ListAPIView[Any]):
    """Your calendar feed links (the token itself is shown only when created)."""

    permission_classes = [SignedIn]
    serializer_class = FeedLinkSerializer

    def get_queryset(self) -> Any:
        return feed_tokens_for(me_of(self.request)).order_by("-created_at", "-pk")

    @extend_schema(request=FeedLinkCreateSerializer, responses={201: FeedLinkCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = FeedLinkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slug = data.validated_data["rota"]
        me = me_of(request)
        rota = rotas_visible_to(me).filter(slug=slug).first() if slug else None
        if slug and rota is None:
            raise ValidationError({"rota": "No such rota."})
        link, plain = feed_token_create(me, data.validated_data["kind"], rota, timezone.now())
        body = {"link": FeedLinkSerializer(link).data, "urls": feed_urls(link, plain)}
        return Response(body, status=status.HTTP_201_CREATED)


class MyFeedLink(APIView):
    permission_classes = [SignedIn]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, link_id: int) -> Response:
        if not feed_token_revoke(me_of(request), link_id, timezone.now()):
            raise Http404("No such feed link in use.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class MySwapRequests(generics.ListAPIView[Any]):
    """Your latest swap requests; POST asks for someone to take one of your duties."""

    permission_classes = [SignedIn]
    serializer_class = SwapRequestSerializer

    def get_queryset(self) -> Any:
        return swap_requests_by(me_of(self.request), timezone.now())

    @extend_schema(request=SwapRequestCreateSerializer, responses={201: SwapRequestSerializer})
    def post(self, request: Request) -> Response:
        me = me_of(request)
        data = SwapRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            swap = services.swap_request_create(
                me,
                data.validated_data["duty"],
                target_id=data.validated_data["target"],
                message=data.validated_data["message"],
            )
        except PermissionDenied:
            raise ValidationError({"duty": "This is not one of your duties."}) from None
        body = SwapRequestSerializer(swap_view(swap_request_of(me, swap.pk))).data
        return Response(body, status=status.HTTP_201_CREATED)


class MySwapRequestWithdraw(APIView):
    permission_classes = [SignedIn]

    @extend_schema(request=None, responses=SwapRequestSerializer)
    def post(self, request: Request, swap_id: int) -> Response:
        me = me_of(request)
        try:
            services.swap_request_withdraw(me, swap_id)
        except PermissionDenied:
            raise Http404("No such swap request.") from None
        except ValidationError as error:
            raise Conflict(error.messages) from None
        return Response(SwapRequestSerializer(swap_view(swap_request_of(me, swap_id))).data)


class SwapRequestsOpen(generics.ListAPIView[Any]):
    """Open requests of others that you could take."""

    permission_classes = [SignedIn]
    serializer_class = SwapRequestSerializer

    def get_queryset(self) -> Any:
        return [swap_view(s) for s in swap_requests_open_for(me_of(self.request), timezone.now())]


class SwapRequestTake(APIView):
    """Take a swap request: the duty becomes yours. 409 when someone was faster, or when the
    swap would leave the week under the rota's coverage minimum: then take it again with
    `{"confirm": true}` (`needs_confirmation` says so), as the swaps page asks."""

    permission_classes = [SignedIn]

    @extend_schema(request=SwapTakeSerializer, responses=SwapRequestSerializer)
    def post(self, request: Request, swap_id: int) -> Response:
        me = me_of(request)
        data = SwapTakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.swap_request_accept(me, swap_id, confirmed=data.validated_data["confirm"])
        except PermissionDenied:
            # Pages answer 404 too: requests of a private rota cannot be enumerated.
            raise Http404("No such swap request.") from None
        except services.CoverageConfirmationNeeded as error:
            body = {"detail": error.messages, "needs_confirmation": True}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except ValidationError as error:
            raise Conflict(error.messages) from None
        return Response(SwapRequestSerializer(swap_view(swap_request_of(me, swap_id))).data)
