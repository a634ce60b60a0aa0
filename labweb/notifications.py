"""Telling people what happened: in the app (the bell, /notifications/) and by email through Django's email
backend (console in development), as each person's NotificationSettings allow."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from labweb.models import Notification, NotificationSettings

logger = logging.getLogger(__name__)

KINDS = Notification.Kind
EMAIL_SUBJECT_PREFIX = "[LabWeb] "


def users_with_permission(codename: str):
    return (User.objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__permissions__codename=codename)
                    | Q(user_permissions__codename=codename)).distinct())


def safe_local_url(url: str) -> str | None:
    """The url if it is a path on this site ("/x/y"), else None: a stored link never leads to another host."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else None


def _local_url(url: str) -> str:
    if not url:
        return ""
    base = settings.LABWEB_BASE_URL
    if base and url.startswith(base + "/"):
        url = url[len(base):]  # callers already build absolute links for email bodies; keep only the path
    local = safe_local_url(url)
    if local is None:
        raise ValueError(f"notification url must be a path on this site, not {url!r}")
    return local


def notify_later(*, users: Iterable[User], subject: str, body: str, url: str = "",
                 kind: str = KINDS.GENERAL, actor: User | None = None) -> None:
    """Tell users, after the surrounding transaction commits, so nobody hears of what was rolled back.

    Each recipient gets an in-app notification and/or a share of one email, as their settings allow for this
    kind; the actor never hears of their own action. A failure after the commit is logged, never raised: the
    action that triggered it has already happened.
    """
    if kind not in KINDS.values:
        raise ValueError(f"unknown notification kind {kind!r}; one of {', '.join(KINDS.values)}")
    url = _local_url(url)
    # Chosen now, inside the action's transaction, so the recipients are the ones the action saw.
    actor_id = actor.pk if actor is not None else None
    recipient_ids = sorted({user.pk for user in users if user.is_active and user.pk != actor_id})
    if not recipient_ids:
        return

    def deliver() -> None:
        recipients = list(User.objects.filter(pk__in=recipient_ids, is_active=True)
                          .select_related("notification_settings").order_by("pk"))
        _create_in_app(recipients, kind=kind, subject=subject, body=body, url=url, actor_id=actor_id)
        _send_email(recipients, kind=kind, subject=subject, body=body, url=url)

    transaction.on_commit(deliver, robust=True)


def _settings_of(user: User) -> NotificationSettings:
    try:
        return user.notification_settings
    except NotificationSettings.DoesNotExist:
        return NotificationSettings(user=user)  # never saved: the defaults, for someone who changed nothing


def _create_in_app(recipients: list[User], *, kind: str, subject: str, body: str, url: str,
                   actor_id: int | None) -> None:
    shown = subject.removeprefix(EMAIL_SUBJECT_PREFIX)[:200]
    rows = [Notification(recipient=user, kind=kind, subject=shown, body=body, url=url, actor_id=actor_id)
            for user in recipients if _settings_of(user).allows(kind=kind, channel="in_app")]
    try:
        Notification.objects.bulk_create(rows)
    except Exception:  # noqa: BLE001 - the action has committed; a lost bell entry must not make it an error
        logger.exception("could not store %r for %d recipients", subject, len(rows))


def _send_email(recipients: list[User], *, kind: str, subject: str, body: str, url: str) -> None:
    addresses = sorted({user.email for user in recipients
                        if user.email and _settings_of(user).allows(kind=kind, channel="email")})
    if not addresses:
        return
    base = settings.LABWEB_BASE_URL
    text = body.rstrip("\n") + "\n"
    if url and f"{base}{url}" not in text:
        text += f"\n{base}{url}\n"
    text += f"\n--\nChoose what LabWeb tells you: {base}{reverse('notifications:settings')}\n"
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
    except Exception:  # noqa: BLE001 - a mail outage must not break the action that triggered it
        logger.exception("could not send %r to %d recipients", subject, len(addresses))


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(*, user: User):
    return Notification.objects.filter(recipient=user).select_related("actor")


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_settings_of(*, user: User) -> NotificationSettings:
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def notification_settings_update(*, user: User, email_enabled: bool, in_app_enabled: bool,
                                 enabled_kinds: Iterable[str]) -> NotificationSettings:
    enabled = set(enabled_kinds)
    unknown = enabled - set(KINDS.values)
    if unknown:
        raise ValueError(f"unknown notification kinds: {', '.join(sorted(unknown))}")
    record, _ = NotificationSettings.objects.update_or_create(user=user, defaults={
        "email_enabled": email_enabled, "in_app_enabled": in_app_enabled,
        "muted_kinds": [kind for kind in KINDS.values if kind not in enabled]})
    return record
