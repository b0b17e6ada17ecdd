from django.contrib import admin
from django.urls import include, path

from rota.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("feeds/", include("rota.feeds.urls")),
    path("api/", include("rota.api.urls")),
    path("github/", include("rota.github.urls")),
    path("", include("accounts.urls")),
    path("", include("rota.rotas.urls")),
    path("", include("rota.notifications.urls")),
    path("", include("rota.privacy.urls")),
]
