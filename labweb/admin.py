from django.contrib import admin

from labweb.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "verb", "actor", "target_type", "target_id")
    list_filter = ("verb", "target_type")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]  # the audit trail is never edited
