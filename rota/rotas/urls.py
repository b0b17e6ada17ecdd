from django.urls import path

from rota.rotas import views

urlpatterns = [
    path("", views.home, name="home"),
]
