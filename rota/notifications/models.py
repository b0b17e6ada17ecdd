"""Notices: one stored row per person, kind and subject, claimed before it is sent.

The unique row is what makes a notice go out once: a task that runs twice finds the row sent
(or claimed by the other run) and moves on; a notice that keeps failing ends as `failed` with
its last error, for the rota's managers to see.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NoticeKind(models.TextChoices):
    DUTIES_CHANGED = "duties_changed", "Your duties changed after a re-plan"
    REMINDER = "reminder", "A reminder before each duty"
    HANDOFF = "handoff", "A hand-off note when a duty starts"
    SWAP_OFFER = "swap_offer", "Swap requests you could take"
    SWAP_NEWS = "swap_news", "News of swaps of your duties"
    OVERRIDE = "override", "A manager put you on or took you off a seat"
    MANAGER_SUMMARY = "manager_summary", "Weekly summary of the rotas you manage"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notice(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    # What the notice is about, stable across runs: "plan-run:12", "assignment:40", ...
    subject = models.CharField(max_length=100)
    # The rota whose managers see the notice if it fails (none for a person-only notice).
    rota = models.ForeignKey(
        "rotas.Rota", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    channel = models.CharField(max_length=20, default="email")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set while a task is sending it. A worker that dies mid-send leaves it set: the notice is
    # then never sent again (it may have arrived) and managers see it as unconfirmed.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"], name="notice_once_per_subject"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="notice_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=["rota", "status"], name="notice_rota_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.status})"


class NoticeOptOut(models.Model):
    """A kind of notice a person chose not to get (no row: they get it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_opt_outs"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notice_opt_out_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} opted out of {self.kind}"


REMINDER_WORKING_DAYS_DEFAULT = 1
REMINDER_WORKING_DAYS_MOST = 5


class NoticeSettings(models.Model):
    """A person's timing choices (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_settings"
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        "remind me this many working days before a duty",
        default=REMINDER_WORKING_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_WORKING_DAYS_MOST)],
    )

    class Meta:
        verbose_name_plural = "notice settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_working_days__gte=1, reminder_working_days__lte=5),
                name="notice_settings_reminder_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: reminders {self.reminder_working_days} working days ahead"
