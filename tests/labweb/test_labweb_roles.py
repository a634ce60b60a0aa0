"""Roles are groups holding LabwebPermission codenames; they exist right after migrate."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission, User

from labweb.roles import (
    ADMIN,
    CONTRIBUTOR,
    MAINTAINER,
    ROLE_ORDER,
    TRIAGER,
    ensure_roles,
    has_perm,
    user_assign_role,
    user_role,
)
from labweb.services import user_sign_up

EXPECTED = {
    "contributor": {"contribute"},
    "triager": {"contribute", "triage"},
    "maintainer": {"contribute", "triage", "merge"},
    "admin": {"contribute", "triage", "merge", "manage_taxonomy", "run_builds", "manage_teachers"},
}

pytestmark = pytest.mark.django_db


def group_codenames(name: str) -> set[str]:
    """The LabWeb role permissions of a group; only admins also hold Django's model permissions."""
    group = Group.objects.get(name=name)
    apps = {p.content_type.app_label for p in group.permissions.all()}
    if name == "admin":
        assert {"auth", "taxonomy_app", "labweb"} <= apps
    else:
        assert apps <= {"labweb"}
    return set(group.permissions.filter(content_type__app_label="labweb", content_type__model="labwebpermission")
               .values_list("codename", flat=True))


def test_groups_and_permissions_exist_after_migrate():
    # No ensure_roles() call here: the post_migrate hook of the test database created them.
    assert set(Group.objects.values_list("name", flat=True)) >= set(EXPECTED)
    for name, codenames in EXPECTED.items():
        assert group_codenames(name) == codenames, name
    labweb_perms = set(Permission.objects.filter(content_type__app_label="labweb", content_type__model="labwebpermission")
                       .values_list("codename", flat=True))
    assert labweb_perms == EXPECTED["admin"]


def test_ensure_roles_repairs_changed_groups_and_is_idempotent():
    Group.objects.get(name="triager").permissions.clear()
    Group.objects.filter(name="maintainer").delete()
    ensure_roles()
    ensure_roles()
    assert Group.objects.filter(name__in=EXPECTED).count() == 4
    for name, codenames in EXPECTED.items():
        assert group_codenames(name) == codenames


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_user_role_and_permissions_of_each_role(make_user, role):
    user = make_user(role)
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user_role(user) == role
    for codename in EXPECTED["admin"]:
        assert has_perm(user, codename) is (codename in EXPECTED[role]), (role, codename)
    assert user.is_staff is (role == ADMIN)


def test_user_role_edge_cases(make_user):
    assert user_role(AnonymousUser()) is None
    assert has_perm(AnonymousUser(), "contribute") is False
    plain = User.objects.create_user("plain", "plain@example.test", "pw-plain-12345")
    assert user_role(plain) == CONTRIBUTOR  # authenticated without a group
    superuser = User.objects.create_superuser("root", "root@example.test", "pw-root-12345")
    assert user_role(superuser) == ADMIN
    # The highest role wins when a user holds several.
    several = make_user(TRIAGER, username="several")
    user_assign_role(user=several, role=MAINTAINER)
    user_assign_role(user=several, role=CONTRIBUTOR)
    assert user_role(User.objects.get(pk=several.pk)) == MAINTAINER


def test_assigning_an_unknown_role_is_refused(make_user):
    user = make_user(CONTRIBUTOR)
    with pytest.raises(ValueError, match="Unknown role 'owner'"):
        user_assign_role(user=user, role="owner")
    assert list(user.groups.values_list("name", flat=True)) == [CONTRIBUTOR]


def test_sign_up_makes_a_contributor():
    user = user_sign_up(username="newbie", email="newbie@example.test", password="a long pass phrase 42",
                        full_name="New Bie")
    user = User.objects.get(pk=user.pk)
    assert list(user.groups.values_list("name", flat=True)) == [CONTRIBUTOR]
    assert user_role(user) == CONTRIBUTOR
    assert has_perm(user, "contribute") and not has_perm(user, "triage")
    assert user.first_name == "New Bie" and user.check_password("a long pass phrase 42")
    assert not user.is_staff and not user.is_superuser
