from django.urls import path

from rota.privacy import views

urlpatterns = [
    path("me/data/", views.data_export, name="data_export"),
    path("me/delete/", views.account_delete, name="account_delete"),
]
