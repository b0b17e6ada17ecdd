from django.urls import path

from rota.github import views

app_name = "github"

urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("components/", views.components, name="components"),
    path("decisions/", views.decisions, name="decisions"),
]
