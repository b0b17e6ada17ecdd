from django.apps import AppConfig


class GithubConfig(AppConfig):
    name = "rota.github"
    label = "github"
    verbose_name = "GitHub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Answers the planner's question about open review requests.
        from rota.github import signals  # noqa: F401
