from django.urls import path, register_converter

from rota.feeds import views


class FeedTokenConverter:
    # secrets.token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-].
    regex = "[A-Za-z0-9_-]{20,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FeedTokenConverter, "feedtoken")

app_name = "feeds"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("me/<feedtoken:token>.ics", views.feed_personal, name="personal"),
    path("rota/<slug:slug>/<feedtoken:token>.ics", views.feed_rota, name="rota"),
    path("rota/<slug:slug>.ics", views.feed_public, name="public"),
]
