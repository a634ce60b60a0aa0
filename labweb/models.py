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
