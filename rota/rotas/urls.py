from django.urls import path

from rota.rotas import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rotas/<slug:slug>", views.rota_detail, name="rota_detail"),
    path("signup", views.signup, name="signup"),
    path("me/profile", views.profile, name="profile"),
    path("me/time-off", views.time_off, name="time_off"),
    path("me/time-off/remove", views.time_off_remove, name="time_off_remove"),
    path("me/duties", views.duties, name="duties"),
    path("me/rotas", views.my_rotas, name="my_rotas"),
    path("me/rotas/pause", views.membership_pause, name="membership_pause"),
    path("me/rotas/resume", views.membership_resume, name="membership_resume"),
    path("me/rotas/leave", views.membership_leave, name="membership_leave"),
    path("swaps", views.swaps, name="swaps"),
    path("swaps/new", views.swap_new, name="swap_new"),
    path("swaps/take", views.swap_take, name="swap_take"),
    path("swaps/withdraw", views.swap_withdraw, name="swap_withdraw"),
]
