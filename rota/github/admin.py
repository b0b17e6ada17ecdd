from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from rota.github.client import GitHubError
from rota.github.models import (
    Delivery,
    NotAssignable,
    OwnershipRule,
    Repository,
    ReviewDecision,
    ReviewRequest,
    Team,
    TriageDigest,
)
from rota.github.services import (
    OwnershipRefused,
    codeowners_fetch,
    delivery_retry_now,
    ownership_import_codeowners,
)


class RepositoryForm(forms.ModelForm):  # type: ignore[type-arg]
    """Secrets are write-only: typed once, sealed, never shown again (empty keeps them)."""

    webhook_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        strip=True,
        help_text="Leave empty to keep the stored secret.",
    )
    private_key = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text="The App's PEM private key. Never shown again; leave empty to keep it.",
    )
    token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        strip=True,
        help_text="A fine-grained token, instead of an App. Leave empty to keep it.",
    )

    class Meta:
        model = Repository
        fields = [
            "full_name",
            "review_rota",
            "triage_rota",
            "active",
            "auth_kind",
            "app_id",
            "installation_id",
            "reviewers_per_pull_request",
            "open_requests_cap",
            "fallback_team",
            "silent_after_working_hours",
            "silent_keep_first",
            "silent_max_follow_ups",
            "triaged_labels",
            "end_user_labels",
        ]

    def save(self, commit: bool = True) -> Any:
        repository = super().save(commit=False)
        repository.secrets_set(
            webhook_secret=self.cleaned_data.get("webhook_secret", ""),
            private_key=self.cleaned_data.get("private_key", ""),
            token=self.cleaned_data.get("token", ""),
        )
        if commit:
            repository.save()
        return repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = RepositoryForm
    list_display = ("full_name", "review_rota", "triage_rota", "auth_kind", "active", "secrets")
    readonly_fields = ("secrets",)
    actions = ["import_codeowners"]

    @admin.action(description="Import CODEOWNERS from GitHub")
    def import_codeowners(self, request: HttpRequest, queryset: QuerySet[Repository]) -> None:
        for repository in queryset:
            try:
                report = ownership_import_codeowners(repository, codeowners_fetch(repository))
            except OwnershipRefused as exc:
                self.message_user(
                    request,
                    f"{repository}: CODEOWNERS refused: " + "; ".join(exc.errors),
                    messages.ERROR,
                )
                continue
            except GitHubError as exc:
                self.message_user(request, f"{repository}: GitHub: {exc}", messages.ERROR)
                continue
            unmapped = (
                f" Owners matching no volunteer: {', '.join(report.unmapped)}."
                if report.unmapped
                else ""
            )
            self.message_user(
                request,
                f"{repository}: {report.rules} rules, {report.components} components.{unmapped}",
                messages.SUCCESS if not unmapped else messages.WARNING,
            )

    @admin.display(description="stored secrets")
    def secrets(self, repository: Repository) -> str:
        stored = [
            name
            for name, value in (
                ("webhook secret", repository.webhook_secret_sealed),
                ("private key", repository.private_key_sealed),
                ("token", repository.token_sealed),
            )
            if value
        ]
        return ", ".join(stored) or "none"


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__",)
    filter_horizontal = ("members",)


@admin.register(OwnershipRule)
class OwnershipRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("repository", "position", "pattern", "owners_text", "source", "line")
    list_filter = ("repository", "source")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "delivery_id",
        "event",
        "action",
        "repository",
        "status",
        "attempts",
        "received_at",
    )
    list_filter = ("status", "event")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.action(description="Try the selected failed deliveries again")
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = sum(delivery_retry_now(d.pk, timezone.now()) for d in queryset)
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("login", "repository", "pull_number", "state", "by_rota", "requested_at")
    list_filter = ("state", "by_rota")


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("repository", "pull_number", "kind", "login", "reason", "created_at")
    list_filter = ("kind",)


@admin.register(NotAssignable)
class NotAssignableAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("login", "repository", "created_at")


@admin.register(TriageDigest)
class TriageDigestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("repository", "rota", "week", "sent_at")
