"""Calendar feed links and the per-person feed settings.

A feed link carries a random token; only its SHA-256 is stored, so a leaked database does not
leak working feed URLs. SHA-256 without salt or stretching is right here because the token has
256 bits of entropy: there is nothing to guess, so nothing for a slow hash to slow down.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeedKind(models.TextChoices):
    PERSONAL = "personal", "My duties"
    ROTA = "rota", "Everyone's duties in a rota"


class FeedToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    kind = models.CharField(max_length=10, choices=FeedKind.choices)
    rota = models.ForeignKey(
        "rotas.Rota",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feed_tokens",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The last four characters of the token, so a person can tell their links apart.
    hint = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=FeedKind.PERSONAL, rota__isnull=True)
                | Q(kind=FeedKind.ROTA, rota__isnull=False),
                name="feed_token_rota_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind=FeedKind.PERSONAL, revoked_at__isnull=True),
                name="feed_token_one_active_personal",
            ),
            models.UniqueConstraint(
                fields=["user", "rota"],
                condition=Q(kind=FeedKind.ROTA, revoked_at__isnull=True),
                name="feed_token_one_active_per_rota",
            ),
        ]

    def __str__(self) -> str:
        target = self.rota if self.kind == FeedKind.ROTA else "personal"
        state = " (revoked)" if self.revoked_at else ""
        return f"{self.user} feed {target} …{self.hint}{state}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedPreference(models.Model):
    """How a person's own feed looks in their calendar."""

    REMINDER_CHOICES = [
        (None, "No reminder"),
        (15, "15 minutes before"),
        (60, "1 hour before"),
        (24 * 60, "1 day before"),
        (2 * 24 * 60, "2 days before"),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_preference"
    )
    reminder_minutes = models.PositiveIntegerField(
        null=True, blank=True, choices=REMINDER_CHOICES, help_text="A reminder before each duty."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_minutes__isnull=True)
                | Q(reminder_minutes__gte=1, reminder_minutes__lte=7 * 24 * 60),
                name="feed_preference_reminder_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Feed settings of {self.user}"
