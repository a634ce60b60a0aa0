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
