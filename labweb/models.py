from django.db import models


class LabwebPermission(models.Model):
    """Holds LabWeb's role permissions; it has no table of its own (unmanaged, never queried)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("contribute", "Can draft and submit contributions"),
            ("triage", "Can triage, comment on and approve submissions"),
            ("merge", "Can merge approved submissions into the taxonomy"),
            ("manage_taxonomy", "Can import taxonomies and rebuild the index"),
            ("run_builds", "Can start training builds and manage models"),
            ("manage_teachers", "Can configure teacher models"),
        ]


class AuditEvent(models.Model):
    """Who did what to which object, and when. Written by services, never edited."""

    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=64, help_text="e.g. submission.submitted")
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


class Notification(models.Model):
    """One thing one person was told about in the app (the bell). Written by notifications.notify_later."""

    class Kind(models.TextChoices):
        SUBMISSION_SUBMITTED = "submission_submitted", "A new submission is waiting for review"
        REVIEW_COMMENT = "review_comment", "Someone comments on a submission I take part in"
        CHANGES_REQUESTED = "changes_requested", "Changes are requested on my submission"
        APPROVED = "approved", "My submission is approved"
        MERGED = "merged", "My submission is merged into the taxonomy"
        CLOSED = "closed", "My submission is closed or rejected"
        GENERAL = "general", "Other news from LabWeb"

    recipient = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.GENERAL)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="A path on this site, never another host")
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at", "-id"], name="labweb_notif_list_idx"),
                   models.Index(fields=["recipient", "read_at"], name="labweb_notif_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"


class NotificationSettings(models.Model):
    """What a person wants to hear about, and how. No row means everything, in the app and by email."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="notification_settings")
    email_enabled = models.BooleanField(default=True)
    in_app_enabled = models.BooleanField(default=True)
    muted_kinds = models.JSONField(default=list, blank=True,
                                   help_text="Notification kinds this person opted out of")

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"

    def allows(self, *, kind: str, channel: str) -> bool:
        enabled = self.email_enabled if channel == "email" else self.in_app_enabled
        return enabled and kind not in self.muted_kinds
