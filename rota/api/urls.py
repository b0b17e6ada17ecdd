from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rota.api.views import manage, me, rotas

app_name = "api"

v1 = [
    path("rotas/", rotas.RotaList.as_view(), name="rotas"),
    path("rotas/<slug:slug>/", rotas.RotaDetail.as_view(), name="rota"),
    path("rotas/<slug:slug>/on-duty/", rotas.RotaOnDuty.as_view(), name="rota_on_duty"),
    path("rotas/<slug:slug>/shifts/", rotas.RotaShifts.as_view(), name="rota_shifts"),
    path("rotas/<slug:slug>/releases/", rotas.RotaReleases.as_view(), name="rota_releases"),
    path("rotas/<slug:slug>/fairness/", rotas.RotaFairness.as_view(), name="rota_fairness"),
    path("components/", rotas.ComponentList.as_view(), name="components"),
    path("people/<int:person_id>/", rotas.PersonDetail.as_view(), name="person"),
    path("me/", me.Me.as_view(), name="me"),
    path("me/working-hours/", me.MyWorkingHours.as_view(), name="my_working_hours"),
    path("me/time-off/", me.MyTimeOffList.as_view(), name="my_time_off_list"),
    path("me/time-off/<int:time_off_id>/", me.MyTimeOff.as_view(), name="my_time_off"),
    path("me/duties/", me.MyDuties.as_view(), name="my_duties"),
    path("me/feed-links/", me.MyFeedLinks.as_view(), name="my_feed_links"),
    path("me/feed-links/<int:link_id>/", me.MyFeedLink.as_view(), name="my_feed_link"),
    path("me/swap-requests/", me.MySwapRequests.as_view(), name="my_swap_requests"),
    path(
        "me/swap-requests/<int:swap_id>/withdraw/",
        me.MySwapRequestWithdraw.as_view(),
        name="my_swap_request_withdraw",
    ),
    path("swap-requests/open/", me.SwapRequestsOpen.as_view(), name="swap_requests_open"),
    path(
        "swap-requests/<int:swap_id>/take/", me.SwapRequestTake.as_view(), name="swap_request_take"
    ),
    path("manage/rotas/", manage.ManagedRotaList.as_view(), name="managed_rotas"),
    path("manage/rotas/<slug:slug>/", manage.ManagedRota.as_view(), name="managed_rota"),
    path(
        "manage/rotas/<slug:slug>/memberships/",
        manage.ManagedMemberships.as_view(),
        name="managed_memberships",
    ),
    path(
        "manage/rotas/<slug:slug>/releases/",
        manage.ManagedReleases.as_view(),
        name="managed_releases",
    ),
    path(
        "manage/rotas/<slug:slug>/releases/<int:release_id>/",
        manage.ManagedRelease.as_view(),
        name="managed_release",
    ),
    path(
        "manage/rotas/<slug:slug>/overrides/",
        manage.ManagedOverride.as_view(),
        name="managed_override",
    ),
    path(
        "manage/rotas/<slug:slug>/plan/preview/",
        manage.ManagedPlanPreview.as_view(),
        name="managed_plan_preview",
    ),
    path(
        "manage/rotas/<slug:slug>/plan/publish/",
        manage.ManagedPlanPublish.as_view(),
        name="managed_plan_publish",
    ),
]

urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
