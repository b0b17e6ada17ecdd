from django.apps import AppConfig


class GithubConfig(AppConfig):
    name = "rota.github"
    label = "github"
    verbose_name = "GitHub"
    default_auto_field = "django.db.models.BigAutoField"
