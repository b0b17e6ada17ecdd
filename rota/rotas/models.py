"""The rota domain: rotas, who is in them, the planned shifts and who holds each seat.

Invariants are database constraints as well as validation. All instants are aware UTC; the
handoff is a wall-clock time in the rota's own IANA zone, expanded by rota.engine.timeslots.
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Weekday
from accounts.validators import (
    EARLIEST_DAY,
    LATEST_DAY,
    validate_day_in_range,
    validate_plain_text,
    validate_single_line_text,
    validate_time_zone,
)


class RotaKind(models.TextChoices):
    REVIEW = "review", "PR review"
    RELEASE = "release", "Release"
    TRIAGE = "triage", "Triage"


DEFAULT_ROLES = {
    RotaKind.REVIEW: ["reviewer"],
    RotaKind.RELEASE: ["lead", "shadow"],
    RotaKind.TRIAGE: ["triager"],
}


def validate_roles(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(r, str) and r.strip() and len(r) <= 30 for r in value)
    ):
        raise ValidationError("Roles must be a non-empty list of short names.", code="roles")
    if len(set(value)) != len(value):
        raise ValidationError("Each role may be named only once.", code="roles")


PLANNER_OWNED_FIELDS = ("plan_version",)


class Rota(models.Model):
    name = models.CharField(max_length=100, validators=[validate_single_line_text])
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=10, choices=RotaKind.choices, default=RotaKind.REVIEW)
    description = models.TextField(blank=True, max_length=5000, validators=[validate_plain_text])
    is_public = models.BooleanField(
        default=True, help_text="Public rotas show their schedule and feed to everyone."
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_rotas"
    )

    # When a shift hands over: a wall-clock time in the rota's zone.
    handoff_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    handoff_time = models.TimeField(default=time(9))
    handoff_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    shift_weeks = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    seats = models.PositiveSmallIntegerField(
        "seats per shift",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Review and triage rotas; a release rota has one seat per role.",
    )
    roles = models.JSONField(default=list, validators=[validate_roles])

    # Planning.
    horizon_weeks = models.PositiveSmallIntegerField(
        default=26, validators=[MinValueValidator(1), MaxValueValidator(156)]
    )
    freeze_weeks = models.PositiveSmallIntegerField(
        "freeze window (weeks)",
        default=2,
        validators=[MaxValueValidator(26)],
        help_text="Duties that start within this many weeks never change in a re-plan.",
    )
    min_available_fraction = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Share of a person's working time in a shift that must be free of time off.",
    )
    min_rest_hours = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(24 * 7 * 26)],
        help_text="Minimum hours between two duties of one person.",
    )
    one_per_organisation = models.BooleanField(default=True)
    min_coverage_hours = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(24)],
        help_text="Review rotas: UTC hours of the day the shift's people should cover together.",
    )
    history_half_life_weeks = models.FloatField(
        default=26.0, validators=[MinValueValidator(1.0), MaxValueValidator(520.0)]
    )
    lead_requires_shadow = models.BooleanField(default=True)
    new_member_weeks_between = models.PositiveSmallIntegerField(
        "new members: at most one duty every N weeks",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="The spacing someone who joins gets, as the rota's other members have.",
    )
    refuse_swaps_below_coverage = models.BooleanField(
        "refuse swaps below the minimum coverage",
        default=False,
        help_text="Off: a swap that leaves a week under min_coverage_hours asks the taker to "
        "confirm; on: it is refused.",
    )
    auto_publish = models.BooleanField(
        "publish re-plans automatically",
        default=True,
        help_text="Off: a re-plan is kept as a preview until a manager publishes it.",
    )

    # Releases.
    release_every_weeks = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    release_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True
    )
    release_window_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="The release duty runs this many days before the release date.",
    )

    # A counter that feeds and pages use as a cache key (raised on every change of the plan).
    plan_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handoff_weekday__gte=0, handoff_weekday__lte=6),
                name="rota_handoff_weekday_valid",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="rota_seats_positive"),
            models.CheckConstraint(
                condition=Q(min_available_fraction__gte=0, min_available_fraction__lte=1),
                name="rota_min_available_fraction_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.roles:
            self.roles = list(DEFAULT_ROLES[RotaKind(self.kind)])
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The planner owns these columns and changes them only with F() updates; a
            # form or script saving a Rota it loaded earlier must not wind them back.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in PLANNER_OWNED_FIELDS
            ]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not self.roles:
            self.roles = list(DEFAULT_ROLES[RotaKind(self.kind)])
        if self.kind == RotaKind.RELEASE and (self.release_every_weeks is None) != (
            self.release_weekday is None
        ):
            raise ValidationError(
                {"release_weekday": "A release cadence needs both the weeks and the weekday."}
            )

    @property
    def seat_roles(self) -> tuple[str, ...]:
        """One role per seat: release rotas seat each role once, others repeat their role."""
        if self.kind == RotaKind.RELEASE:
            return tuple(self.roles)
        return tuple(self.roles[0] for _ in range(self.seats))


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list, validators=[validate_roles])
    min_weeks_between = models.PositiveSmallIntegerField(
        "at most one duty every N weeks",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    max_duties = models.PositiveSmallIntegerField(
        "at most N duties in the planning horizon", null=True, blank=True
    )
    paused = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rota", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "rota"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(min_weeks_between__gte=1), name="membership_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.rota}"

    def clean(self) -> None:
        if self.rota_id and self.roles:
            unknown = set(self.roles) - set(self.rota.roles)
            if unknown:
                raise ValidationError(
                    {"roles": f"{', '.join(sorted(unknown))} is not a role of {self.rota}."}
                )


class Release(models.Model):
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=40, validators=[validate_single_line_text])
    date = models.DateField(validators=[validate_day_in_range])
    from_cadence = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["rota", "version"], name="release_version_unique"),
            models.CheckConstraint(
                condition=Q(date__gte=EARLIEST_DAY, date__lte=LATEST_DAY),
                name="release_date_within_supported_dates",
                violation_error_message=(
                    f"A release date must lie between {EARLIEST_DAY} and {LATEST_DAY}."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rota} {self.version} ({self.date})"


class Shift(models.Model):
    """One planned duty period of a rota. `key` is the engine's stable slot id."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="shifts")
    key = models.CharField(max_length=80)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    release = models.OneToOneField(
        Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="shift"
    )
    covered_hours = models.JSONField(
        default=list, blank=True, help_text="UTC hours of the day covered by its people."
    )
    unfilled = models.JSONField(
        default=list, blank=True, help_text="Seats left empty, each with the plan's reason."
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message="A shift must end after it starts.",
            ),
            models.UniqueConstraint(fields=["rota", "key"], name="shift_key_unique"),
        ]
        indexes = [models.Index(fields=["rota", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.rota} {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A shift must end after it starts."})


class AssignmentSource(models.TextChoices):
    PLANNED = "planned", "Planned"
    SWAPPED = "swapped", "Swapped"
    OVERRIDDEN = "overridden", "Overridden"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Assignment(models.Model):
    """A person holding one seat of a shift.

    A re-plan or a swap that gives the seat to someone else cancels this row (cancelled_at) and
    creates a new one, so a calendar event's identity follows the person; cancelled rows stay
    for 30 days so feeds can tell clients to delete the event.
    """

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(max_length=30)
    source = models.CharField(
        max_length=12, choices=AssignmentSource.choices, default=AssignmentSource.PLANNED
    )
    explanation = models.TextField(blank=True, help_text="Why this person, why this shift.")
    first_reason = models.TextField(
        blank=True,
        help_text="Why the duty was first given, kept through re-plans (the explanation adds "
        "what changed since).",
    )
    sequence = models.PositiveIntegerField(default=0, help_text="Raised on every change.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["shift__starts_at", "role", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=Q(cancelled_at__isnull=True),
                name="assignment_one_seat_per_person",
                violation_error_message="This person already holds a seat of this shift.",
            ),
        ]
        indexes = [models.Index(fields=["person", "cancelled_at"])]

    def __str__(self) -> str:
        return f"{self.person} as {self.role} in {self.shift}"


class SwapStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


class SwapRequest(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="swaps")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swap_requests"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="swap_requests_for_me",
        help_text="Empty: open to every eligible member.",
    )
    message = models.TextField(blank=True, max_length=1000, validators=[validate_plain_text])
    status = models.CharField(max_length=10, choices=SwapStatus.choices, default=SwapStatus.OPEN)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="swaps_taken",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="open"),
                name="swap_one_open_request_per_assignment",
                violation_error_message="There is already an open swap request for this duty.",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", taken_by__isnull=False) | ~Q(status="accepted"),
                name="swap_accepted_has_taker",
            ),
        ]

    def __str__(self) -> str:
        return f"Swap of {self.assignment} ({self.status})"


class Component(models.Model):
    """A part of a repository, owned by people, for reviewer requests on pull requests."""

    name = models.CharField(max_length=100, validators=[validate_single_line_text])
    repository = models.CharField(max_length=140, help_text="owner/name on GitHub")
    path_patterns = models.TextField(
        blank=True, help_text="One gitignore-style pattern per line, as in CODEOWNERS."
    )
    rota = models.ForeignKey(
        Rota, null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_components"
    )

    class Meta:
        ordering = ["repository", "name"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "name"], name="component_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.repository}: {self.name}"

    @property
    def patterns(self) -> list[str]:
        return [line.strip() for line in self.path_patterns.splitlines() if line.strip()]


class PlanTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Daily horizon extension"
    MANUAL = "manual", "Manual"
    AVAILABILITY = "availability", "Availability changed"
    MEMBERSHIP = "membership", "Membership changed"
    RELEASE = "release", "Release changed"
    SWAP = "swap", "Swap"
    PUBLISH = "publish", "Published by a manager"


class PlanRunStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    DRY_RUN = "dry_run", "Dry run"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (another run in progress)"
    AWAITING = "awaiting", "Awaiting a manager"


class PlanRun(models.Model):
    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="plan_runs")
    trigger = models.CharField(max_length=20, choices=PlanTrigger.choices)
    status = models.CharField(max_length=10, choices=PlanRunStatus.choices)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seed = models.BigIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # People left out of this run because their own data could not be planned (say, a time
    # zone that no longer exists): [{"person": id, "reason": "..."}]. The rest was planned.
    problems = models.JSONField(default=list, blank=True)
    plan_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.rota} plan {self.started_at:%Y-%m-%d %H:%M} ({self.status})"


class OutboxTask(models.Model):
    """Work that must happen, stored in the same transaction as the change that caused it.

    A Celery task is only a nudge: if the broker is away when the change commits, or a worker
    dies mid-way, the row stays and rota.rotas.outbox's periodic sweep sends it again. The
    task deletes the row when its work is done, and only if no newer change (a new `token`)
    arrived meanwhile. One row per `key`, so a burst of changes folds into one run.
    """

    key = models.CharField(max_length=100, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    token = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    # When a task was last sent (or started) for this row; NULL means nobody is on it.
    nudged_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["due_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.key} due {self.due_at:%Y-%m-%d %H:%M:%S}"


class ManagerActionKind(models.TextChoices):
    PREVIEW = "preview", "Previewed a re-plan"
    PUBLISH = "publish", "Published a re-plan"
    OVERRIDE = "override", "Put a person on a seat"
    AUTO_PUBLISH = "auto_publish", "Changed automatic publishing"
    RELEASE_ADD = "release_add", "Added releases"
    RELEASE_MOVE = "release_move", "Moved a release"
    RELEASE_CANCEL = "release_cancel", "Cancelled a release"
    ROTA_CREATE = "rota_create", "Created the rota"
    ROTA_CHANGE = "rota_change", "Changed the rota's settings"


class ManagerAction(models.Model):
    """The audit log: who did what to a rota, when and why. Written by the services that act,
    in the same transaction as the action; never edited."""

    rota = models.ForeignKey(Rota, on_delete=models.CASCADE, related_name="manager_actions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ManagerActionKind.choices)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True, max_length=1000, validators=[validate_plain_text])
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["rota", "-created_at"], name="manager_action_recent")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor}: {self.summary}"
