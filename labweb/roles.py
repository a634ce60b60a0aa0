"""Roles are Django groups; what each role may do is a set of permissions on LabwebPermission.

The groups are (re)created after every migrate, so a fresh database always has them and a changed
mapping here reaches existing installations without a data migration.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission

CONTRIBUTOR = "contributor"
TRIAGER = "triager"
MAINTAINER = "maintainer"
ADMIN = "admin"

ROLE_ORDER = (CONTRIBUTOR, TRIAGER, MAINTAINER, ADMIN)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CONTRIBUTOR: ("contribute",),
    TRIAGER: ("contribute", "triage"),
    MAINTAINER: ("contribute", "triage", "merge"),
    ADMIN: ("contribute", "triage", "merge", "manage_taxonomy", "run_builds", "manage_teachers"),
}


def ensure_roles() -> dict[str, Group]:
    groups = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(content_type__app_label="labweb", codename__in=codenames)
        if role == ADMIN:
            # Admins also run the Django admin site, which asks for the model permissions.
            permissions = Permission.objects.all()
        group.permissions.set(permissions)
        groups[role] = group
    return groups


def ensure_roles_after_migrate(**kwargs) -> None:
    ensure_roles()


def user_assign_role(*, user: AbstractBaseUser, role: str) -> None:
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"Unknown role {role!r}; expected one of {', '.join(ROLE_ORDER)}.")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def user_role(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """The highest role a user holds (superusers count as admin), or None when anonymous."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in reversed(ROLE_ORDER):
        if role in names:
            return role
    return CONTRIBUTOR


def has_perm(user, codename: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(f"labweb.{codename}"))
