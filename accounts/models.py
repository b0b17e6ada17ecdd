"""People: identity, time zone, working hours and time off.

accounts knows nothing of rotas; rota.rotas reads these models to plan.
"""

from __future__ import annotations

from datetime import date, time

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from accounts.availability import WindowSpec, window_error
from accounts.validators import (
    EARLIEST_DAY,
    LATEST_DAY,
    validate_country,
    validate_day_in_range,
    validate_github_login,
    validate_single_line_text,
    validate_time_zone,
)

INDEPENDENT = "independent"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DutyShare(models.TextChoices):
    """How much of a full share of duties a person gives (the engine's `Person.share`)."""

    FULL = "full", "A full share"
    HALF = "half", "Half a share"
    QUARTER = "quarter", "A quarter share"


class User(AbstractUser):
    # Names and organisation appear on pages and in e-mail subjects: one line of plain text.
    first_name = models.CharField(
        "first name", max_length=150, blank=True, validators=[validate_single_line_text]
    )
    last_name = models.CharField(
        "last name", max_length=150, blank=True, validators=[validate_single_line_text]
    )
    email = models.EmailField("e-mail address")
    display_name = models.CharField(
        max_length=100, blank=True, validators=[validate_single_line_text]
    )
    github_login = models.CharField(
        "GitHub login", max_length=39, blank=True, validators=[validate_github_login]
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(
        max_length=2, blank=True, validators=[validate_country], help_text="ISO 3166 code"
    )
    organisation = models.CharField(
        max_length=100,
        default=INDEPENDENT,
        validators=[validate_single_line_text],
        help_text='The organisation you contribute for, or "independent".',
    )
    count_public_holidays = models.BooleanField(
        default=False, help_text="Count my country's public holidays as time off."
    )
    duty_share = models.CharField(
        "share of duties",
        max_length=10,
        choices=DutyShare.choices,
        default=DutyShare.FULL,
        help_text="A half or quarter share gives you half or a quarter of the duties of "
        "someone giving a full share, in every rota you serve.",
    )
    max_duties_per_quarter = models.PositiveSmallIntegerField(
        "at most N duties a quarter",
        null=True,
        blank=True,
        validators=[MaxValueValidator(13)],
        help_text="All rotas together, in any 13 weeks. Leave empty for no cap.",
    )
    # Limits across every rota a person serves (each rota's own limits hold as well).
    any_duty_every_weeks = models.PositiveSmallIntegerField(
        "at most one duty of any kind every N weeks",
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(26)],
        help_text="All rotas together. Leave empty for no such limit.",
    )
    most_duties = models.PositiveSmallIntegerField(
        "at most K duties", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    most_duties_weeks = models.PositiveSmallIntegerField(
        "in any M weeks",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    min_rest_hours = models.PositiveSmallIntegerField(
        "at least N hours between two duties",
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 28)],
        help_text="Between the end of one duty and the start of the next, all rotas together.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("github_login"),
                condition=~Q(github_login=""),
                name="user_github_login_unique_ci",
                violation_error_message="Another person already uses this GitHub login.",
            ),
            models.CheckConstraint(
                condition=Q(duty_share__in=["full", "half", "quarter"]),
                name="user_duty_share_known",
            ),
            models.CheckConstraint(
                condition=Q(most_duties__isnull=True, most_duties_weeks__isnull=True)
                | Q(most_duties__isnull=False, most_duties_weeks__isnull=False),
                name="user_most_duties_in_weeks_together",
                violation_error_message="Give both K duties and M weeks, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(max_duties_per_quarter__isnull=True)
                | Q(max_duties_per_quarter__lte=13),
                name="user_max_duties_per_quarter_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.most_duties is None) != (self.most_duties_weeks is None):
            raise ValidationError(
                {"most_duties_weeks": "Give both K duties and M weeks, or neither."}
            )

    @property
    def name(self) -> str:
        return person_name(self.display_name, self.first_name, self.last_name, self.username)

    @property
    def public_name(self) -> str:
        return public_name(self.display_name)

    def save(self, *args: object, **kwargs: object) -> None:
        self.organisation = normalise_organisation(self.organisation)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


# What a person gives and their limits across rotas: the planner reads these (in this order),
# the profile page sets them, a change to any re-plans, and the data export lists them.
DUTY_LIMIT_FIELDS = (
    "duty_share",
    "max_duties_per_quarter",
    "any_duty_every_weeks",
    "most_duties",
    "most_duties_weeks",
    "min_rest_hours",
)

ANONYMOUS_NAME = "A volunteer"


def person_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    """How a person is named to people who know them: chosen name, real name, or login."""
    return display_name or f"{first_name} {last_name}".strip() or username


def public_name(display_name: str) -> str:
    """How a person is named to outsiders: only the name they chose to show, never their
    real name (given perhaps only to organisers) or their login."""
    return display_name or ANONYMOUS_NAME


def normalise_organisation(value: str) -> str:
    value = " ".join(value.split())
    return INDEPENDENT if not value or value.lower() in {INDEPENDENT, "none", "-"} else value


class WorkingHours(models.Model):
    """A weekly window of working time in the person's own local time.

    An overnight window (22:00-06:00) says so with ends_next_day; without it an end before the
    start is a mistake and is refused, so "17:00-09:00" typed by accident never plans a night.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()
    ends_next_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="working_hours_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_next_day=False, end__gt=models.F("start"))
                | Q(ends_next_day=True, end__lte=models.F("start")),
                name="working_hours_end_after_start",
                violation_error_message=(
                    "The end must be after the start, or mark the window as ending the next day."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "weekday", "start"], name="working_hours_unique_start"
            ),
        ]

    def __str__(self) -> str:
        suffix = " (+1 day)" if self.ends_next_day else ""
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}{suffix}"

    def clean(self) -> None:
        error = window_error(self.start, self.end, self.ends_next_day)
        if error:
            raise ValidationError({"end": error})

    @property
    def spec(self) -> WindowSpec:
        return WindowSpec(self.weekday, self.start, self.end, self.ends_next_day)


DEFAULT_WORKING_HOURS: tuple[tuple[int, time, time], ...] = tuple(
    (day, time(9), time(17)) for day in range(5)
)


class TimeOff(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateField(validators=[validate_day_in_range])
    end = models.DateField(
        help_text="The last day off (inclusive).", validators=[validate_day_in_range]
    )
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="Private: only you and the admins see it.",
        validators=[validate_single_line_text],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="time_off_end_on_or_after_start",
                violation_error_message="Time off must end on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=Q(start__gte=EARLIEST_DAY, end__lte=LATEST_DAY),
                name="time_off_within_supported_dates",
                violation_error_message=(
                    f"Time off must lie between {EARLIEST_DAY} and {LATEST_DAY}."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.start} to {self.end}"

    def clean(self) -> None:
        if isinstance(self.start, date) and isinstance(self.end, date) and self.end < self.start:
            raise ValidationError({"end": "Time off must end on or after the day it starts."})


class ApiToken(models.Model):
    """A personal API token for bots and scripts, created and revoked on the profile page.

    As with feed links, only the SHA-256 of the token is kept: it has 256 bits of entropy, so
    there is nothing for a slow hash to slow down, and a leaked database leaks no working token.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        max_length=100,
        help_text="What uses it: 'triage bot'.",
        validators=[validate_single_line_text],
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The last four characters, so a person can tell their tokens apart.
    hint = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        state = " (revoked)" if self.revoked_at else ""
        return f"{self.user}: {self.name} …{self.hint}{state}"
