from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rota.notifications"
    label = "notifications"
    verbose_name = "Notices"
