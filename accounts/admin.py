from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from accounts.availability import WindowSpec
from accounts.models import ApiToken, TimeOff, User, WorkingHours
from accounts.services import working_hours_validate


class WorkingHoursFormSet(BaseInlineFormSet):
    """Check the week as a whole: windows that overlap each other are refused."""

    def clean(self) -> None:
        super().clean()
        windows = [
            WindowSpec(
                form.cleaned_data["weekday"],
                form.cleaned_data["start"],
                form.cleaned_data["end"],
                form.cleaned_data.get("ends_next_day", False),
            )
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and {"weekday", "start", "end"} <= set(form.cleaned_data)
        ]
        try:
            working_hours_validate(windows)
        except ValidationError as error:
            raise ValidationError(error.message_dict["working_hours"]) from None


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    formset = WorkingHoursFormSet
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["start", "end", "note"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "github_login",
        "time_zone",
        "country",
        "organisation",
        "is_staff",
    ]
    list_filter = ["organisation", "time_zone", "country", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "email", "github_login", "organisation"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Rota",
            {
                "fields": (
                    "display_name",
                    "github_login",
                    "time_zone",
                    "country",
                    "organisation",
                    "count_public_holidays",
                )
            },
        ),
    )
    inlines = [WorkingHoursInline, TimeOffInline]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end", "created_at"]
    list_filter = ["start"]
    search_fields = ["user__username", "user__display_name", "note"]
    date_hierarchy = "start"
    autocomplete_fields = ["user"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["user", "weekday", "start", "end", "ends_next_day"]
    list_filter = ["weekday", "ends_next_day"]
    search_fields = ["user__username", "user__display_name"]
    autocomplete_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see who holds which token and may revoke one (set "revoked at"); the token itself
    is never stored, so there is nothing to show or copy."""

    list_display = ["user", "name", "hint", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are created by their person, on the profile page
