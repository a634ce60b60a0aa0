"""Sign up, log in and log out through the pages, as a person would."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from labweb.roles import user_role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def signup_data(**overrides):
    data = {"username": "ada", "first_name": "Ada Lovelace", "email": "Ada@Example.test",
            "password1": "analytical engine 1843", "password2": "analytical engine 1843"}
    data.update(overrides)
    return data


def test_signup_page_shows_the_form(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Create your account</h1>" in html
    for name in ("username", "first_name", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_signup_creates_a_logged_in_contributor(client):
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302 and response.url == "/taxonomy/"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.test"  # normalised
    assert user.first_name == "Ada Lovelace"
    assert user_role(user) == "contributor"
    page = client.get(response.url).content.decode()
    assert 'ada <span class="role-badge">contributor</span>' in page
    assert "Log out" in page
    # A logged-in person who opens the sign-up page again is sent to the tree.
    again = client.get("/accounts/signup/")
    assert again.status_code == 302 and again.url == "/taxonomy/"


def test_signup_with_a_taken_email_says_so(client, make_user):
    make_user("contributor", username="first")  # email contributor@example.test
    response = client.post("/accounts/signup/", signup_data(email="CONTRIBUTOR@example.test"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "An account with this email address already exists. Try logging in." in html
    assert 'id="id_email-errors"' in html
    assert not User.objects.filter(username="ada").exists()
    assert "_auth_user_id" not in client.session


def test_signup_with_a_taken_username_or_mismatched_passwords_fails(client, make_user):
    make_user("contributor", username="ada")
    html = client.post("/accounts/signup/", signup_data(email="other@example.test")).content.decode()
    assert "A user with that username already exists." in html
    html = client.post("/accounts/signup/", signup_data(username="bob", password2="something else 99")).content.decode()
    assert "The two password fields didn" in html
    assert not User.objects.filter(username="bob").exists()


def test_signup_rejects_weak_passwords(client):
    html = client.post("/accounts/signup/", signup_data(password1="password", password2="password")).content.decode()
    assert "This password is too common." in html
    assert not User.objects.filter(username="ada").exists()


def test_login_with_a_bad_password_shows_a_message(client, make_user):
    make_user("triager", username="tara")
    page = client.get("/accounts/login/").content.decode()
    assert "<h1>Log in</h1>" in page and 'name="password"' in page
    response = client.post("/accounts/login/", {"username": "tara", "password": "wrong password"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That username and password do not match. Please try again." in html
    assert 'value="tara"' in html  # the username is kept
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client, make_user):
    user = make_user("maintainer", username="morgan")
    response = client.post("/accounts/login/", {"username": "morgan", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/taxonomy/"
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get("/taxonomy/").content.decode()
    assert 'morgan <span class="role-badge">maintainer</span>' in page
    assert '<form method="post" action="/accounts/logout/"' in page

    # Logging out is a POST; a GET must not log anyone out.
    get = client.get("/accounts/logout/")
    assert get.status_code == 405
    assert client.session.get("_auth_user_id") == str(user.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" not in client.session
    page = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in page and "role-badge" not in page


def test_login_honours_next(client, make_user):
    make_user("contributor", username="casey")
    response = client.post("/accounts/login/?next=/taxonomy/coverage/",
                           {"username": "casey", "password": PASSWORD, "next": "/taxonomy/coverage/"})
    assert response.status_code == 302 and response.url == "/taxonomy/coverage/"
    evil = client.post("/accounts/login/", {"username": "casey", "password": PASSWORD,
                                             "next": "https://evil.example/steal"})
    assert evil.status_code == 302 and evil.url == "/taxonomy/"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.post("/healthz").status_code == 405


def test_admin_site_is_for_admins_only(client_for, role):
    client = client_for(role)
    response = client.get("/admin/")
    if role == "admin":
        assert response.status_code == 200 and "Site administration" in response.content.decode()
    else:
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_admin_pages_for_canned_responses_submissions_and_the_audit_trail(client, make_user, canned_responses):
    client.force_login(make_user("admin", "site-admin"))
    for url in ("/admin/taxonomy_app/cannedresponse/", "/admin/taxonomy_app/submission/",
                "/admin/taxonomy_app/taxonomynode/", "/admin/labweb/auditevent/"):
        assert client.get(url).status_code == 200, url
    canned = client.get("/admin/taxonomy_app/cannedresponse/").content.decode()
    assert "Too few examples" in canned or "too few" in canned.lower()
