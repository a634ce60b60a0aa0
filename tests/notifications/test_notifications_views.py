"""The bell, /notifications/, its settings: login required, one's own notifications only, no open redirect."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from labweb.models import Notification, NotificationSettings

pytestmark = pytest.mark.django_db

SIGNED_IN = ("contributor", "triager", "maintainer", "admin")
ENDPOINTS = [("get", "/notifications/"), ("get", "/notifications/badge/"),
             ("get", "/notifications/settings/"),
             ("post", "/notifications/settings/"), ("post", "/notifications/read-all/"),
             ("post", "/notifications/1/open/")]


@pytest.fixture
def signed_in(client_for):
    """signed_in(role) -> (client, user)."""

    def sign_in(role: str):
        client = client_for(role)
        return client, User.objects.get(username=f"{role}-user")

    return sign_in


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_is_sent_to_log_in(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_anonymous_polling_swaps_nothing_into_the_header(client):
    response = client.get("/notifications/badge/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.content == b""


@pytest.mark.parametrize("role", SIGNED_IN)
def test_everyone_sees_only_their_own_notifications(signed_in, person, notification_for, role):
    client, me = signed_in(role)
    other = person("triager", "someone-else")
    notification_for(me, subject="Mine, older")
    notification_for(me, subject="Mine, newer")
    notification_for(other, subject="Not yours")
    page = client.get("/notifications/").content.decode()
    assert page.index("Mine, newer") < page.index("Mine, older")
    assert "Not yours" not in page
    assert page.count('class="notification unread"') == 2
    assert "2 unread" in page


@pytest.mark.parametrize("role", SIGNED_IN)
def test_the_badge_counts_my_unread_notifications(signed_in, person, notification_for, role):
    client, me = signed_in(role)
    for _ in range(3):
        notification_for(me)
    notification_for(me, read_at="2026-01-01T00:00Z")
    notification_for(person("admin", "other-admin"))
    response = client.get("/notifications/badge/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Notifications, 3 unread"' in html
    assert re.search(r'<span class="notification-count" aria-hidden="true">3</span>', html)
    assert 'href="/notifications/"' in html
    assert "no-cache" in response["Cache-Control"]


def test_the_badge_with_nothing_unread_shows_no_number(signed_in):
    client, _ = signed_in("contributor")
    html = client.get("/notifications/badge/").content.decode()
    assert 'aria-label="Notifications, 0 unread"' in html and "notification-count" not in html


def test_the_header_loads_the_badge_for_signed_in_people_only(client, signed_in):
    anonymous = client.get("/").content.decode()
    assert "notifications/badge" not in anonymous
    client, _ = signed_in("contributor")
    html = client.get("/").content.decode()
    slot = re.search(r'<span class="notification-bell-slot"[^>]*>', html).group(0)
    assert 'hx-get="/notifications/badge/"' in slot and 'hx-trigger="load, every 60s"' in slot
    assert 'aria-label="Notifications"' in html


@pytest.mark.parametrize("role", SIGNED_IN)
def test_opening_marks_read_and_goes_to_the_link(signed_in, notification_for, role):
    client, me = signed_in(role)
    notification = notification_for(me, url="/contribute/submissions/3/?tab=checks")
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/contribute/submissions/3/?tab=checks"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_without_a_link_goes_to_the_list(signed_in, notification_for):
    client, me = signed_in("contributor")
    notification = notification_for(me, url="")
    assert client.post(f"/notifications/{notification.pk}/open/")["Location"] == "/notifications/"


@pytest.mark.parametrize("url", ["//evil.example", "https://evil.example", "/\\evil.example",
                                 "javascript:alert(1)", "http:/evil.example"])
def test_a_link_to_another_site_is_never_followed(signed_in, notification_for, url):
    client, me = signed_in("triager")
    notification = notification_for(me, url=url)  # stored behind notify_later's back
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_opening_is_a_post(signed_in, notification_for):
    client, me = signed_in("contributor")
    notification = notification_for(me)
    assert client.get(f"/notifications/{notification.pk}/open/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("role", SIGNED_IN)
def test_another_persons_notification_is_not_found(signed_in, person, notification_for, role):
    client, _ = signed_in(role)
    theirs = notification_for(person("contributor", "victim"), url="/taxonomy/")
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post("/notifications/999999/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("role", SIGNED_IN)
def test_mark_all_read_touches_only_my_notifications(signed_in, person, notification_for, role):
    client, me = signed_in(role)
    mine = [notification_for(me) for _ in range(2)]
    theirs = notification_for(person("triager", "bystander"))
    response = client.post("/notifications/read-all/", follow=True)
    assert "Marked 2 notifications as read." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "Nothing was unread." in client.post("/notifications/read-all/", follow=True).content.decode()
    assert client.get("/notifications/read-all/").status_code == 405


def test_the_list_pages_by_fifty_newest_first(signed_in, notification_for):
    client, me = signed_in("triager")
    for number in range(1, 52):
        notification_for(me, subject=f"Number {number:02d}")
    first = client.get("/notifications/").content.decode()
    assert first.count('class="notification unread"') == 50
    assert "Number 51" in first and "Number 01" not in first and 'rel="next"' in first
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count('class="notification unread"') == 1 and "Number 01" in second
    assert client.get("/notifications/?page=banana").status_code == 200


def test_text_is_escaped(signed_in, notification_for):
    client, me = signed_in("contributor")
    notification_for(me, subject="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    html = client.get("/notifications/").content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("role", SIGNED_IN)
def test_settings_show_the_defaults_and_save(signed_in, role):
    client, me = signed_in(role)
    html = client.get("/notifications/settings/").content.decode()
    for label in ("A new submission is waiting for review", "Changes are requested on my submission",
                  "My submission is merged into the taxonomy", "Other news from LabWeb"):
        assert label in html
    assert html.count("checked") == 2 + 7  # both channels and every kind, until changed

    response = client.post("/notifications/settings/",
                           {"in_app_enabled": "on", "kinds": ["approved", "merged"]})
    assert response.status_code == 302 and response["Location"] == "/notifications/settings/"
    saved = NotificationSettings.objects.get(user=me)
    assert (saved.email_enabled, saved.in_app_enabled) == (False, True)
    assert set(saved.muted_kinds) == {"submission_submitted", "review_comment", "changes_requested", "closed",
                                      "general"}
    assert client.get("/notifications/settings/").content.decode().count("checked") == 1 + 2


def test_settings_everything_off(signed_in):
    client, me = signed_in("contributor")
    assert client.post("/notifications/settings/", {}).status_code == 302
    saved = NotificationSettings.objects.get(user=me)
    assert (saved.email_enabled, saved.in_app_enabled, len(saved.muted_kinds)) == (False, False, 7)


def test_settings_refuse_an_unknown_kind(signed_in):
    client, me = signed_in("contributor")
    response = client.post("/notifications/settings/", {"email_enabled": "on", "kinds": ["gossip"]})
    assert response.status_code == 400
    assert "Select a valid choice. gossip is not one of the available choices." in response.content.decode()
    assert not NotificationSettings.objects.filter(user=me).exists()


def test_settings_mention_a_missing_email_address(signed_in):
    client, me = signed_in("contributor")
    me.email = ""
    me.save()
    assert "has no email address" in client.get("/notifications/settings/").content.decode()
