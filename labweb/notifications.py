"""Telling people what happened. For now by email through Django's email backend (console in development);
in-app notifications and per-user settings come with the review workspace."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

logger = logging.getLogger(__name__)


def users_with_permission(codename: str):
    return (User.objects.filter(is_active=True).exclude(email="")
            .filter(Q(is_superuser=True) | Q(groups__permissions__codename=codename)
                    | Q(user_permissions__codename=codename)).distinct())


def notify_later(*, users, subject: str, body: str) -> None:
    """Send after the surrounding transaction commits, so nobody hears of something that was rolled back."""
    recipients = sorted({user.email for user in users if user.email})
    if not recipients:
        return

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
        except Exception:  # noqa: BLE001 - a mail outage must not break the action that triggered it
            logger.exception("could not send %r to %d recipients", subject, len(recipients))

    transaction.on_commit(send)
