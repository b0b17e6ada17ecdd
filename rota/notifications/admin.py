from django.contrib import admin

from rota.notifications.models import Notice, NoticeOptOut, NoticeSettings


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in Notice._meta.fields]


@admin.register(NoticeOptOut)
class NoticeOptOutAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "created_at")


@admin.register(NoticeSettings)
class NoticeSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "reminder_working_days")
