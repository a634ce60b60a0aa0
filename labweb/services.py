from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from labweb.roles import CONTRIBUTOR, user_assign_role


@transaction.atomic
def user_sign_up(*, username: str, email: str, password: str, full_name: str = "") -> User:
    """Create an account; everyone who signs up is a contributor."""
    user = User.objects.create_user(username=username, email=email, password=password, first_name=full_name)
    user_assign_role(user=user, role=CONTRIBUTOR)
    return user
