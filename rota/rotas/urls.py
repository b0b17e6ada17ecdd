from django.urls import path

from rota.rotas.views import accounts, duties, manage, rotas, swaps

urlpatterns = [
    path("", rotas.home, name="home"),
    path("rotas/", rotas.rota_list, name="rota_list"),
    path("rotas/<slug:slug>/", rotas.rota_detail, name="rota_detail"),
    path("signup/", accounts.signup, name="signup"),
    path("me/profile/", accounts.profile, name="profile"),
    path("me/api-tokens/new/", accounts.api_token_create, name="api_token_create"),
    path("me/api-tokens/revoke/", accounts.api_token_revoke, name="api_token_revoke"),
    path("me/time-off/", accounts.time_off, name="time_off"),
    path("me/time-off/remove/", accounts.time_off_remove, name="time_off_remove"),
    path("me/duties/", duties.duties, name="duties"),
    path("me/rotas/", rotas.my_rotas, name="my_rotas"),
    path("me/rotas/pause/", rotas.membership_pause, name="membership_pause"),
    path("me/rotas/resume/", rotas.membership_resume, name="membership_resume"),
    path("me/rotas/leave/", rotas.membership_leave, name="membership_leave"),
    path("swaps/", swaps.swaps, name="swaps"),
    path("swaps/new/", swaps.swap_new, name="swap_new"),
    path("swaps/take/", swaps.swap_take, name="swap_take"),
    path("swaps/withdraw/", swaps.swap_withdraw, name="swap_withdraw"),
    path("manage/", manage.dashboard, name="manage_dashboard"),
    path("manage/new-rota/", manage.rota_settings, name="manage_rota_new"),
    path("manage/<slug:slug>/settings/", manage.rota_settings, name="manage_rota_settings"),
    path("manage/<slug:slug>/releases/", manage.releases, name="manage_releases"),
    path("manage/<slug:slug>/fairness/", manage.fairness, name="manage_fairness"),
    path("manage/<slug:slug>/plan/", manage.plan, name="manage_plan"),
    path("manage/<slug:slug>/override/", manage.override, name="manage_override"),
]
