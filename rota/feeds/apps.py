from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "rota.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"

    def ready(self) -> None:
        from rota.feeds import signals  # noqa: F401
