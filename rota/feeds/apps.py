from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "rota.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"
