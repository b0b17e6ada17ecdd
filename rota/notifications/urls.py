from django.urls import path

from rota.notifications import views

urlpatterns = [
    path("me/notices/", views.notice_preferences, name="notice_preferences"),
    path("notices/<str:token>/", views.notice_preferences_signed, name="notice_preferences_signed"),
    path("notices/<str:token>/unsubscribe/", views.notice_unsubscribe, name="notice_unsubscribe"),
]
