from django.apps import AppConfig


class LabwebConfig(AppConfig):
    name = "labweb"
    verbose_name = "LabWeb"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from labweb.roles import ensure_roles_after_migrate

        # Every app's post_migrate, not only ours: the admin role collects the permissions of all apps.
        post_migrate.connect(ensure_roles_after_migrate, dispatch_uid="labweb-ensure-roles")
