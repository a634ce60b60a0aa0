"""Who may use which review endpoint: anonymous (401), a contributor on their own and on someone else's
submission, triager, maintainer and admin; token and session authentication."""

from __future__ import annotations

import pytest

from taxonomy_app.models import Comment, Submission

CALLERS = ("anonymous", "other", "author", "triager", "maintainer", "admin")
REVIEWERS = {"triager": None, "maintainer": None, "admin": None}


def _expect(anonymous=401, other=404, author=403, reviewers=200, **overrides) -> dict[str, int]:
    table = {"anonymous": anonymous, "other": other, "author": author,
             **dict.fromkeys(REVIEWERS, reviewers)}
    return {**table, **overrides}


# endpoint: (method, url, payload, setup fields of the submission, expected status per caller)
MATRIX = {
    "queue": ("get", "/api/reviews/", None, {}, _expect(other=403)),
    "detail": ("get", "/api/reviews/{n}/", None, {}, _expect(author=200)),
    "comments": ("get", "/api/reviews/{n}/comments/", None, {}, _expect(author=200)),
    "comment": ("post", "/api/reviews/{n}/comments/", {"body": "Looks good."}, {},
                _expect(author=201, reviewers=201)),
    "resolve": ("post", "/api/reviews/comments/{c}/resolve/", {"resolved": True}, {}, _expect(author=200)),
    "triage": ("post", "/api/reviews/{n}/triage/", {"state": "uncertain", "note": "Hmm."}, {}, _expect()),
    "assign": ("post", "/api/reviews/{n}/assign/", {"username": "tri2"}, {}, _expect()),
    "labels": ("post", "/api/reviews/{n}/labels/", {"add": ["question"]}, {}, _expect()),
    "request-changes": ("post", "/api/reviews/{n}/request-changes/", {"message": "Add a sixth seed."}, {},
                        _expect()),
    "approve": ("post", "/api/reviews/{n}/approve/", None, {}, _expect()),
    "close": ("post", "/api/reviews/{n}/close/", {"reason": "Out of scope."}, {}, _expect(author=200)),
    "reopen": ("post", "/api/reviews/{n}/reopen/", None, {"status": "closed"}, _expect(author=200)),
    # Reviewers who may merge get past the permission check; this row has no branch, so the merge is blocked.
    "merge": ("post", "/api/reviews/{n}/merge/", None, {"status": "approved"},
              _expect(triager=403, maintainer=409, admin=409)),
}


@pytest.mark.parametrize("endpoint", MATRIX)
def test_permission_matrix(api, people, row, repos, endpoint):
    method, url, payload, fields, expected = MATRIX[endpoint]
    seen = {}
    for caller in CALLERS:
        submission = row(**fields)  # a fresh one per caller: an allowed call changes it
        comment = Comment.objects.create(submission=submission, author=people["triager2"], body="A thread.")
        before = Submission.objects.filter(pk=submission.pk).values().get()
        response = getattr(api(caller), method)(url.format(n=submission.pk, c=comment.pk), payload, format="json")
        seen[caller] = response.status_code
        if response.status_code in (401, 403, 404):
            assert Submission.objects.filter(pk=submission.pk).values().get() == before, caller
            assert Comment.objects.filter(submission=submission).count() == 1, caller
            assert not Comment.objects.get(pk=comment.pk).resolved, caller
        if response.status_code == 401:
            assert response["WWW-Authenticate"] == "Token"
            assert response.json() == {"detail": "Authentication credentials were not provided."}
        elif response.status_code == 404:
            assert response.json() == {"detail": "No such submission."} or endpoint == "resolve"
        elif response.status_code == 403:
            assert response.json()["code"] == "not_allowed" and response.json()["detail"]
    assert seen == expected


def test_merge_past_the_permission_check_names_what_is_in_the_way(api, row, repos):
    response = api("maintainer").post(f"/api/reviews/{row(status='approved').pk}/merge/", format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "merge_blocked" and body["detail"].startswith("This submission cannot be merged")
    assert any("approved its latest revision" in reason for reason in body["reasons"])
    assert any("branch" in reason for reason in body["reasons"])


def test_a_contributor_sees_only_their_own_and_no_queue(api, row, people):
    mine, theirs = row(), row(people["other"])
    client = api("author")
    assert client.get(f"/api/reviews/{mine.pk}/").json()["number"] == mine.pk
    assert client.get(f"/api/reviews/{theirs.pk}/").status_code == 404
    refused = client.get("/api/reviews/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only triagers, maintainers and administrators can see the review queue.",
                              "code": "not_allowed"}


def test_a_contributor_cannot_reopen_what_a_triager_rejected(api, row):
    submission = row(status="closed", triage_state="rejected")
    response = api("author").post(f"/api/reviews/{submission.pk}/reopen/", format="json")
    assert response.status_code == 403
    assert "ask one to reopen it" in response.json()["detail"]
    assert Submission.objects.get(pk=submission.pk).status == "closed"


def test_a_reviewer_cannot_decide_on_their_own_submission(api, row, people):
    own = row(people["triager"])
    for action, payload in (("approve", None), ("request-changes", {"message": "Change it."})):
        response = api("triager").post(f"/api/reviews/{own.pk}/{action}/", payload, format="json")
        assert response.status_code == 403 and "your own submission" in response.json()["detail"]


def test_unknown_submission_and_comment_are_404(api, row):
    submission = row()
    missing = submission.pk + 1000
    client = api("admin")
    assert client.get(f"/api/reviews/{missing}/").status_code == 404
    assert client.post(f"/api/reviews/{missing}/approve/", format="json").status_code == 404
    other_comment = Comment.objects.create(submission=row(), author=submission.author, body="x")
    assert client.post(f"/api/reviews/comments/{other_comment.pk + 1000}/resolve/", {"resolved": True},
                       format="json").status_code == 404


def test_session_authentication_works_and_needs_csrf_for_writes(client, people, row):
    from rest_framework.test import APIClient

    submission = row()
    client.force_login(people["triager"])
    assert client.get(f"/api/reviews/{submission.pk}/").status_code == 200
    assert client.get("/api/reviews/").json()["count"] == 1
    posted = client.post(f"/api/reviews/{submission.pk}/comments/", {"body": "Via the session."},
                         content_type="application/json")
    assert posted.status_code == 201 and posted.json()["author"]["username"] == "tri"

    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(people["triager"])
    refused = strict.post(f"/api/reviews/{submission.pk}/approve/", format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert Submission.objects.get(pk=submission.pk).status == "open"
