from django.apps import AppConfig


class RotasConfig(AppConfig):
    name = "rota.rotas"
    label = "rotas"
    verbose_name = "Rotas"

    def ready(self) -> None:
        # Bind shared tasks to Rota's Celery app in every Django process (web, worker, beat).
        from rota import celery  # noqa: F401
        from rota.rotas import signals  # noqa: F401
