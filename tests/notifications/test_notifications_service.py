"""notify_later: who hears about what, on which channel, and only once the action has really happened."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from labweb.models import Notification, NotificationSettings
from labweb.notifications import notification_settings_update, notify_later, users_with_permission

pytestmark = pytest.mark.django_db


def in_app(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_recipients_get_a_bell_entry_and_one_email_after_commit(person, notify_now, mailoutbox):
    alice, bob = person("triager", "alice"), person("maintainer", "bob")
    actor = person("contributor", "casey")
    notify_now(users=[alice, bob], subject="[LabWeb] New submission #7: Greetings",
               body="Casey submitted it.",
               url="/contribute/submissions/7/", kind="submission_submitted", actor=actor)

    for user in (alice, bob):
        row = Notification.objects.get(recipient=user)
        assert (row.subject, row.kind, row.url, row.actor, row.read_at) == (
            "New submission #7: Greetings", "submission_submitted", "/contribute/submissions/7/", actor, None)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([alice.email, bob.email])
    assert mail.subject == "[LabWeb] New submission #7: Greetings"
    assert "Casey submitted it." in mail.body
    assert "http://testserver-base/contribute/submissions/7/" in mail.body
    assert "http://testserver-base/notifications/settings/" in mail.body


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.LABWEB_BASE_URL = "http://testserver-base"


def test_nothing_is_stored_or_sent_before_the_commit(person, mailoutbox, django_capture_on_commit_callbacks):
    alice = person("triager")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_later(users=[alice], subject="Pending", body="")
        assert in_app(alice) == [] and mailoutbox == []
    assert len(callbacks) == 1
    assert in_app(alice) == [] and mailoutbox == []


def test_a_rolled_back_action_notifies_nobody(person, mailoutbox, django_capture_on_commit_callbacks):
    alice = person("triager")

    class Refused(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Refused):
        with transaction.atomic():
            notify_later(users=[alice], subject="Never happened", body="")
            raise Refused
    assert callbacks == []
    assert Notification.objects.count() == 0 and mailoutbox == []


def test_the_actor_never_hears_of_their_own_action(person, notify_now, mailoutbox):
    admin, triager = person("admin", "ada"), person("triager", "tess")
    notify_now(users=[admin, triager], subject="Approved", body="", actor=admin)
    assert in_app(admin) == [] and in_app(triager) == ["Approved"]
    assert [mail.to for mail in mailoutbox] == [[triager.email]]


def test_acting_alone_notifies_nobody(person, notify_now, mailoutbox, django_capture_on_commit_callbacks):
    admin = person("admin")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify_later(users=[admin], subject="Merged", body="", actor=admin)
    assert callbacks == [] and Notification.objects.count() == 0 and mailoutbox == []


def test_inactive_users_and_users_without_email(person, notify_now, mailoutbox):
    gone, no_mail = person("triager", is_active=False), person("triager", email="")
    notify_now(users=[gone, no_mail], subject="Hello", body="")
    assert in_app(gone) == [] and in_app(no_mail) == ["Hello"]
    assert mailoutbox == []


@pytest.mark.parametrize(("email_enabled", "in_app_enabled"), [(True, True), (False, True), (True, False),
                                                               (False, False)])
def test_each_channel_follows_the_settings(person, notify_now, mailoutbox, email_enabled, in_app_enabled):
    user = person("contributor")
    notification_settings_update(user=user, email_enabled=email_enabled, in_app_enabled=in_app_enabled,
                                 enabled_kinds=["approved", "general"])
    notify_now(users=[user], subject="Your submission is approved", body="", kind="approved")
    assert len(in_app(user)) == int(in_app_enabled)
    assert len(mailoutbox) == int(email_enabled)


def test_a_muted_kind_reaches_neither_channel_and_other_kinds_still_do(person, notify_now, mailoutbox):
    muted, default = person("triager", "muted"), person("triager", "default")
    notification_settings_update(user=muted, email_enabled=True, in_app_enabled=True,
                                 enabled_kinds=["approved", "merged"])
    assert NotificationSettings.objects.get(user=muted).muted_kinds == [
        "submission_submitted", "review_comment", "changes_requested", "closed", "general"]
    notify_now(users=[muted, default], subject="New submission", body="", kind="submission_submitted")
    assert in_app(muted) == [] and in_app(default) == ["New submission"]
    assert [mail.to for mail in mailoutbox] == [[default.email]]

    mailoutbox.clear()
    notify_now(users=[muted, default], subject="Merged", body="", kind="merged")
    assert in_app(muted) == ["Merged"]
    assert sorted(mailoutbox[0].to) == sorted([muted.email, default.email])


def test_a_mail_failure_is_logged_and_the_bell_still_rings(person, notify_now, monkeypatch, caplog):
    user = person("triager")

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp is down")

    monkeypatch.setattr("labweb.notifications.send_mail", broken)
    with caplog.at_level(logging.ERROR, logger="labweb.notifications"):
        notify_now(users=[user], subject="Still here", body="")
    assert in_app(user) == ["Still here"]
    assert "could not send 'Still here' to 1 recipients" in caplog.text


@pytest.mark.parametrize("url", ["//evil.example", "https://evil.example",
                                 "https://evil.example/notifications/",
                                 "/\\evil.example", "javascript:alert(1)", "evil.example",
                                 "http:/evil.example"])
def test_links_to_other_sites_are_refused(person, url, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True),
          pytest.raises(ValueError, match="path on this site")):
        notify_later(users=[person("triager")], subject="Click me", body="", url=url)
    assert Notification.objects.count() == 0


def test_an_absolute_link_to_this_site_is_stored_as_its_path(person, notify_now):
    user = person("contributor")
    notify_now(users=[user], subject="Merged", body="",
               url="http://testserver-base/taxonomy/leaf/x/?tab=history")
    assert Notification.objects.get(recipient=user).url == "/taxonomy/leaf/x/?tab=history"


def test_an_unknown_kind_is_a_programming_error(person):
    with pytest.raises(ValueError, match="unknown notification kind 'gossip'"):
        notify_later(users=[person()], subject="x", body="", kind="gossip")


def test_the_old_call_still_works(person, notify_now, mailoutbox):
    user = person("triager")
    notify_now(users=users_with_permission("triage"), subject="[LabWeb] Plain", body="Body")
    row = Notification.objects.get(recipient=user)
    assert (row.kind, row.url, row.actor) == ("general", "", None)
    assert mailoutbox[0].to == [user.email]


def test_users_with_permission_includes_people_without_email(person):
    contributor, triager, maintainer, admin = (person("contributor"), person("triager"), person("maintainer"),
                                               person("admin"))
    no_mail = person("triager", email="")
    person("triager", is_active=False)
    assert set(users_with_permission("triage")) == {triager, maintainer, admin, no_mail}
    assert contributor not in users_with_permission("triage")
