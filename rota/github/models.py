"""What Rota keeps about GitHub: repositories, deliveries, review requests and decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from rota.github.sealing import seal, unseal
from rota.rotas.models import Component, Rota

# https://docs.github.com/en/rest/pulls/review-requests: at most 15 reviewers per pull request.
GITHUB_MAX_REVIEWERS = 15

validate_full_name = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$",
    "Use owner/name, as in the repository's address on GitHub.",
)


class AuthKind(models.TextChoices):
    APP = "app", "GitHub App installation"
    TOKEN = "token", "Fine-grained personal access token"


class Repository(models.Model):
    """A GitHub repository whose pull requests get the on-duty reviewers."""

    full_name = models.CharField(
        "owner/name", max_length=140, unique=True, validators=[validate_full_name]
    )
    review_rota = models.ForeignKey(
        Rota, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_repositories"
    )
    triage_rota = models.ForeignKey(
        Rota, null=True, blank=True, on_delete=models.SET_NULL, related_name="triage_repositories"
    )
    active = models.BooleanField(
        default=True, help_text="Off: deliveries are stored, not acted on."
    )

    auth_kind = models.CharField(max_length=5, choices=AuthKind.choices, default=AuthKind.APP)
    app_id = models.PositiveBigIntegerField(null=True, blank=True)
    installation_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Sealed (encrypted) with a key derived from SECRET_KEY; forms never show them back.
    webhook_secret_sealed = models.TextField(blank=True, editable=False)
    private_key_sealed = models.TextField(blank=True, editable=False)
    token_sealed = models.TextField(blank=True, editable=False)

    reviewers_per_pull_request = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(GITHUB_MAX_REVIEWERS)]
    )
    open_requests_cap = models.PositiveSmallIntegerField(
        "cap of open review requests per person",
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    fallback_team = models.CharField(
        max_length=100,
        blank=True,
        help_text="Team slug (without the organisation) to request "
        "when nobody on duty and no owner in working hours can review.",
    )
    silent_after_working_hours = models.PositiveSmallIntegerField(
        default=16,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 7)],
        help_text="Follow a silent reviewer after this many of their own working hours.",
    )
    silent_keep_first = models.BooleanField(
        default=True, help_text="Keep the silent reviewer requested when following up."
    )
    silent_max_follow_ups = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(GITHUB_MAX_REVIEWERS)]
    )
    triaged_labels = models.CharField(
        max_length=300,
        default="triage/accepted",
        blank=True,
        help_text="Comma-separated: an issue with any of these labels is triaged.",
    )
    end_user_labels = models.CharField(
        max_length=300,
        default="kind/support,user-report",
        blank=True,
        help_text="Comma-separated: labels that mark an issue as an end user's.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "repositories"
        constraints = [
            models.UniqueConstraint(Lower("full_name"), name="github_repository_unique_ci"),
            models.CheckConstraint(
                condition=Q(reviewers_per_pull_request__gte=1, reviewers_per_pull_request__lte=15),
                name="github_reviewers_per_pr_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    def webhook_secret(self) -> str:
        return unseal(self.webhook_secret_sealed)

    def private_key(self) -> str:
        return unseal(self.private_key_sealed)

    def token(self) -> str:
        return unseal(self.token_sealed)

    def secrets_set(
        self, *, webhook_secret: str = "", private_key: str = "", token: str = ""
    ) -> None:
        """Seal the secrets given; an empty value keeps what is stored."""
        if webhook_secret:
            self.webhook_secret_sealed = seal(webhook_secret)
        if private_key:
            self.private_key_sealed = seal(private_key)
        if token:
            self.token_sealed = seal(token)

    @staticmethod
    def _labels(text: str) -> list[str]:
        return [label.strip() for label in text.split(",") if label.strip()]

    @property
    def triaged_label_list(self) -> list[str]:
        return self._labels(self.triaged_labels)

    @property
    def end_user_label_list(self) -> list[str]:
        return self._labels(self.end_user_labels)


class Team(models.Model):
    """A GitHub team named in CODEOWNERS or OWNERS (`@org/slug`) and the volunteers in it."""

    organisation = models.CharField(max_length=39)
    slug = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["organisation", "slug"]
        constraints = [
            models.UniqueConstraint(
                Lower("organisation"), Lower("slug"), name="github_team_unique_ci"
            )
        ]

    def __str__(self) -> str:
        return f"@{self.organisation}/{self.slug}"


class OwnershipSource(models.TextChoices):
    CODEOWNERS = "codeowners", "CODEOWNERS"
    PROW = "prow", "Prow OWNERS"


class OwnershipRule(models.Model):
    """One imported ownership line, in file order: for a path, the last matching rule wins."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveIntegerField()
    pattern = models.CharField(max_length=500)
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    owners_text = models.TextField(blank=True, help_text="The owners as written in the file.")
    source = models.CharField(max_length=12, choices=OwnershipSource.choices)
    line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["repository", "position"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "position"], name="github_rule_position")
        ]

    def __str__(self) -> str:
        return f"{self.repository} #{self.position}: {self.pattern}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Done"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One webhook delivery, stored before it is acknowledged; processed by a task."""

    delivery_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=60)
    action = models.CharField(max_length=60, blank=True)
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Set by the conditional update that claims the delivery for one worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    outcome = models.TextField(blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        action = f".{self.action}" if self.action else ""
        return f"{self.event}{action} {self.delivery_id}"


class RequestState(models.TextChoices):
    OPEN = "open", "Open"
    REVIEWED = "reviewed", "Reviewed"
    REMOVED = "removed", "Removed"
    CLOSED = "closed", "Pull request closed"


class ReviewRequest(models.Model):
    """One person asked to review one pull request: the unit of a reviewer's load."""

    repository = models.ForeignKey(
        Repository, on_delete=models.CASCADE, related_name="review_requests"
    )
    pull_number = models.PositiveIntegerField()
    login = models.CharField(max_length=39)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_requests",
    )
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    requested_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    by_rota = models.BooleanField(default=False)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    # What the silent-reviewer follow-up needs without asking GitHub again.
    pull_author = models.CharField(max_length=39, blank=True)
    components = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                "repository",
                "pull_number",
                Lower("login"),
                condition=Q(state="open"),
                name="github_one_open_request_per_person",
            )
        ]
        indexes = [models.Index(fields=["person", "state"])]

    def __str__(self) -> str:
        return f"{self.login} on {self.repository}#{self.pull_number} ({self.state})"


class NotAssignable(models.Model):
    """GitHub refused this login as a reviewer here (422: not a collaborator)."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="+")
    login = models.CharField(max_length=39)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "repository", Lower("login"), name="github_not_assignable_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.login} not assignable on {self.repository}"


class DecisionKind(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SKIPPED = "skipped", "Passed over"
    REFUSED = "refused", "Refused by GitHub"
    TEAM = "team", "Fallback team requested"
    FOLLOW_UP = "follow_up", "Followed up a silent reviewer"
    REMOVED = "removed", "Silent reviewer removed"
    NOBODY = "nobody", "Nobody to request"


class ReviewDecision(models.Model):
    """Why Rota requested (or passed over) someone on a pull request."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="decisions")
    pull_number = models.PositiveIntegerField()
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    login = models.CharField(max_length=140, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_decisions",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["repository", "pull_number"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.login} on {self.repository}#{self.pull_number}"


class TriageDigest(models.Model):
    """A week's untriaged issues of a repository, sent to the person on triage duty."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="digests")
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="triage_digests")
    week = models.DateField(help_text="The Monday of the week it covers (UTC).")
    issues = models.JSONField(default=list)
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["repository", "rota", "week"], name="github_one_digest_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"Triage digest {self.repository} {self.week}"
