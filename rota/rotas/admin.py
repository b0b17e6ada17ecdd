from django.contrib import admin

from rota.rotas.models import (
    Assignment,
    Component,
    ManagerAction,
    Membership,
    OutboxTask,
    PlanRun,
    Release,
    Rota,
    Shift,
    SwapRequest,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "roles", "min_weeks_between", "max_duties", "paused"]


@admin.register(Rota)
class RotaAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "kind",
        "handoff_weekday",
        "handoff_time",
        "handoff_zone",
        "seats",
        "horizon_weeks",
        "is_public",
    ]
    list_filter = ["kind", "is_public", "handoff_zone"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["managers"]
    inlines = [MembershipInline]
    readonly_fields = ["plan_version", "created_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "rota", "roles", "min_weeks_between", "max_duties", "paused"]
    list_filter = ["rota", "paused"]
    search_fields = ["user__username", "user__display_name", "rota__name"]
    autocomplete_fields = ["user"]


class AssignmentInline(admin.TabularInline):
    """Read-only: a seat changes through the managers' override page, which checks the
    planner's rules, shows the coverage it leaves, refreshes the coverage bar, writes the
    reason and tells both people; an admin edit would do none of that."""

    model = Assignment
    extra = 0
    fields = ["person", "role", "source", "cancelled_at", "sequence", "explanation"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["rota", "key", "starts_at", "ends_at", "release"]
    list_filter = ["rota"]
    search_fields = ["key", "rota__name"]
    date_hierarchy = "starts_at"
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "shift", "source", "cancelled_at", "sequence"]
    list_filter = ["source", "role", "shift__rota", ("cancelled_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__username", "person__display_name", "shift__key"]
    list_select_related = ["person", "shift__rota"]
    # Seats change through the managers' override page (rules, coverage, reason, notices).
    readonly_fields = [f.name for f in Assignment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["rota", "version", "date", "from_cadence"]
    list_filter = ["rota", "from_cadence"]
    search_fields = ["version", "rota__name"]
    date_hierarchy = "date"


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["assignment", "requester", "target", "status", "taken_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["requester__username", "target__username", "message"]
    raw_id_fields = ["assignment"]
    autocomplete_fields = ["requester", "target", "taken_by"]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "repository", "rota"]
    list_filter = ["repository", "rota"]
    search_fields = ["name", "repository", "path_patterns"]
    filter_horizontal = ["owners"]


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):
    list_display = ["rota", "trigger", "status", "started_at", "finished_at", "plan_version"]
    list_filter = ["rota", "trigger", "status"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in PlanRun._meta.fields]


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Pending work: what is waiting for the broker or a worker, and why it last failed."""

    list_display = ["key", "task", "due_at", "nudged_at", "attempts", "last_error"]
    search_fields = ["key", "task"]
    readonly_fields = [f.name for f in OutboxTask._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ManagerAction)
class ManagerActionAdmin(admin.ModelAdmin):
    """The audit log, read-only: every manager action with who, what, when and why."""

    list_display = ["created_at", "rota", "actor", "kind", "summary"]
    list_filter = ["rota", "kind"]
    search_fields = ["summary", "reason", "actor__username"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ManagerAction._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
