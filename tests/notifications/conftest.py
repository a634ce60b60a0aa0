"""Fixtures for the notification tests: people of every role and notifications made for them."""

from __future__ import annotations

import pytest


@pytest.fixture
def person(make_user):
    """person(role="contributor", username=None, **fields) -> a user with an address of their own."""
    counter = iter(range(1, 1000))

    def make(role: str = "contributor", username: str | None = None, **fields):
        username = username or f"{role}-{next(counter)}"
        user = make_user(role, username)
        for name, value in {"email": f"{username}@example.test", **fields}.items():
            setattr(user, name, value)
        user.save()
        return user

    return make


@pytest.fixture
def notify_now(django_capture_on_commit_callbacks):
    """notify_now(**notify_later kwargs): notify_later in a transaction that commits, callbacks run."""
    from django.db import transaction

    from labweb.notifications import notify_later

    def notify(**kwargs):
        kwargs.setdefault("subject", "[LabWeb] Something happened")
        kwargs.setdefault("body", "Details of what happened.")
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            notify_later(**kwargs)

    return notify


@pytest.fixture
def notification_for():
    """notification_for(user, **fields) -> a Notification stored directly (no settings, no email)."""
    from labweb.models import Notification

    def make(user, **fields):
        values = {"subject": "A thing happened", "body": "More about it.", "url": "/taxonomy/", **fields}
        return Notification.objects.create(recipient=user, **values)

    return make
