from django.contrib import admin

from rota.feeds.models import FeedPreference, FeedToken


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "rota", "hint", "created_at", "revoked_at", "last_fetched_at"]
    list_filter = ["kind", "revoked_at"]
    search_fields = ["user__username", "user__display_name", "hint"]
    readonly_fields = ["token_hash", "hint", "created_at", "last_fetched_at"]
    raw_id_fields = ["user", "rota"]


@admin.register(FeedPreference)
class FeedPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "reminder_minutes"]
    raw_id_fields = ["user"]
