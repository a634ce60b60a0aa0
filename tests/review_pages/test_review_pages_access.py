"""Who may open which review page and post which action: anonymous, contributor (own / other's), triager,
maintainer, admin."""

from __future__ import annotations

import pytest

PAGES = {"queue": "/reviews/", "metrics": "/reviews/metrics", "audit": "/reviews/audit"}
EXPECTED = {  # role -> status per page
    "queue": {"contributor": 403, "triager": 200, "maintainer": 200, "admin": 200},
    "metrics": {"contributor": 403, "triager": 200, "maintainer": 200, "admin": 200},
    "audit": {"contributor": 403, "triager": 403, "maintainer": 403, "admin": 200},
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_list_pages_per_role(client, people, submission, role, page):
    if role == "anonymous":
        response = client.get(PAGES[page])
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
        return
    client.force_login(people[role])
    response = client.get(PAGES[page])
    assert response.status_code == EXPECTED[page][role]
    if response.status_code == 200 and page == "queue":
        assert f"/reviews/{submission.pk}/" in response.content.decode()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("author", 200), ("other", 404), ("triager", 200),
                                         ("maintainer", 200), ("admin", 200)])
def test_review_page_per_role(client, people, submission, who, status):
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get(f"/reviews/{submission.pk}/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert submission.title in html
        assert 'id="comment-body"' in html  # the author and reviewers can comment
        decides = who in ("triager", "maintainer", "admin")
        assert ("Approve revision 1" in html) == decides
        assert ("Withdraw my submission" in html) == (who == "author")


def test_htmx_call_after_logout_gets_401(client, submission):
    response = client.post(f"/reviews/{submission.pk}/approve/", HTTP_HX_REQUEST="true")
    assert response.status_code == 401


def test_anonymous_post_goes_to_login(client, submission):
    response = client.post(f"/reviews/{submission.pk}/approve/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who, action, data, status", [
    ("other", "approve", {}, 404),
    ("other", "comment", {"body": "hi"}, 404),
    ("author", "approve", {}, 403),
    ("author", "request-changes", {"message": "no"}, 403),
    ("author", "assign", {"assignee": "me"}, 403),
    ("author", "label", {"labels": ["question"]}, 403),
    ("author", "merge", {}, 403),
    ("triager", "merge", {}, 403),
    ("maintainer", "merge", {}, 409),  # allowed to merge, but it is not approved
    ("triager", "nonsense", {}, 404),
])
def test_refused_actions(client, people, submission, who, action, data, status):
    from taxonomy_app.models import Submission

    client.force_login(people[who])
    response = client.post(f"/reviews/{submission.pk}/{action}/", data, HTTP_HX_REQUEST="true",
                           HTTP_HX_TARGET="workspace")
    assert response.status_code == status
    if status in (403, 409):
        assert 'class="banner error"' in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == "open"


def test_nav_link_only_for_reviewers(client, people, submission):
    client.force_login(people["contributor"])
    assert 'href="/reviews/"' not in client.get("/taxonomy/").content.decode()
    client.force_login(people["triager"])
    assert 'href="/reviews/"' in client.get("/taxonomy/").content.decode()
