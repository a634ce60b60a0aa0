"""Submitting through the API: the branch and submission, refusals that write nothing, and the forge hook
(never with the built-in forge; with LABWEB_FORGE=github, a push to a local bare remote and a pull request
on GitHub's recorded contract)."""

from __future__ import annotations

import pytest
from contribute_api_payloads import PARENT, create, skill_payload
from forges.github_contract import REPO, remote_head

from labweb.models import AuditEvent
from taxonomy_app import tasks
from taxonomy_app.models import Submission

LEAF = f"{PARENT}/plain_english"
PULL_URL = "https://github.com/labweb-test/taxonomy/pull/1347"
CHANGE = {"data": {"task_description": "Rewrite formal sentences in plain, friendly English."}}


@pytest.fixture
def api(owner_api, sample_taxonomy):
    return owner_api[0]


@pytest.fixture
def draft_url(api):
    return create(api, skill_payload())


@pytest.fixture
def publish_calls(monkeypatch):
    """Every enqueue of the publish task (the task itself still runs when Celery is eager)."""
    calls = []
    original = tasks.submission_publish.delay

    def delay(submission_id):
        calls.append(submission_id)
        return original(submission_id)

    monkeypatch.setattr(tasks.submission_publish, "delay", delay)
    return calls


def _published_events():
    return list(AuditEvent.objects.filter(verb__startswith="submission.publish").order_by("id"))


def test_submit_writes_the_branch_and_answers_with_the_submission(api, draft_url, sample_taxonomy, settings):
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    response = api.post(draft_url + "submit/")

    assert response.status_code == 201
    body = response.json()
    submission = Submission.objects.get()
    assert body["number"] == submission.pk
    assert body["branch"] == f"contrib/{submission.pk}-plain-english"
    assert body["head_commit"] == sample_taxonomy.resolve(body["branch"])
    assert sample_taxonomy.commit_info(body["head_commit"]).parents == (main,)
    assert (body["status"], body["base_commit"], body["taxonomy_path"], body["revisions"]) == (
        "open", main, LEAF, 1)
    assert body["url"] == f"http://testserver/contribute/submissions/{submission.pk}/"
    assert (body["forge"], body["external_url"]) == ("builtin", "")
    assert api.get(draft_url).json()["submission"]["number"] == submission.pk
    assert api.get(draft_url).json()["status"] == "submitted"


def test_an_invalid_draft_is_refused_with_every_issue_and_nothing_is_written(api, sample_taxonomy):
    url = create(api, {"kind": "freeform_skill"})
    response = api.post(url + "submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].endswith("block this submission")
    assert {"path", "leaf_name", "title", "dco"} <= {issue["field"] for issue in body["issues"]}
    assert {issue["severity"] for issue in body["issues"]} == {"error"}
    assert sample_taxonomy.branches("contrib/") == {} and not Submission.objects.exists()


def test_submitting_again_unchanged_is_refused_and_a_change_is_a_revision(api, draft_url, sample_taxonomy):
    first = api.post(draft_url + "submit/").json()
    again = api.post(draft_url + "submit/")
    assert again.status_code == 400
    assert [issue["rule"] for issue in again.json()["issues"]] == ["C8-unchanged"]

    api.patch(draft_url, CHANGE, format="json")
    revised = api.post(draft_url + "submit/")
    assert revised.status_code == 201
    body = revised.json()
    assert (body["number"], body["branch"], body["revisions"]) == (first["number"], first["branch"], 2)
    assert sample_taxonomy.commit_info(body["head_commit"]).parents == (first["head_commit"],)


def test_the_builtin_forge_is_never_called(api, draft_url, eager_celery, publish_calls,
                                           django_capture_on_commit_callbacks):
    assert eager_celery.LABWEB_FORGE == "builtin"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(draft_url + "submit/").status_code == 201
    assert publish_calls == [] and _published_events() == []
    assert Submission.objects.get().external_url == ""


def test_the_github_forge_pushes_and_opens_the_pull_request_after_commit(
        api, draft_url, github_forge, bare_remote, publish_calls, django_capture_on_commit_callbacks):
    github_forge.expect("create-pull-request-201")
    github_forge.expect("add-labels-200")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(draft_url + "submit/")
        assert publish_calls == []  # nothing leaves before the transaction commits
    assert response.status_code == 201 and len(callbacks) == 1
    submission = Submission.objects.get()
    assert publish_calls == [submission.pk]
    assert remote_head(bare_remote, submission.branch) == submission.head_commit
    assert (submission.forge, submission.external_url) == ("github", PULL_URL)

    create, labels = github_forge.received
    assert create.path == f"/repos/{REPO}/pulls"
    assert (create.body["title"], create.body["head"], create.body["base"]) == (
        "Plain English rewrites", submission.branch, "main")
    pr_body = create.body["body"]
    assert "- Five formal sentences, said plainly\\." in pr_body
    assert f"- Topic: `{LEAF}` (skill, 5 seed examples)" in pr_body
    assert "How would you say sentence 1 in plain words?" in pr_body
    assert "- [x] All [commits are signed off]" in pr_body and "- [x] An `attribution.txt` file" in pr_body
    assert "- [ ] The contribution was tested with `ilab generate`" in pr_body
    assert labels.body == {"labels": ["skill"]}
    event, = _published_events()
    assert (event.verb, event.data["external_id"], event.data["commit"]) == (
        "submission.published", "1347", submission.head_commit)
    assert api.get(draft_url).json()["submission"]["external_url"] == PULL_URL

    # A revision: pushed over the head published before (lease), no second pull request.
    api.patch(draft_url, CHANGE, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(draft_url + "submit/").status_code == 201
    submission.refresh_from_db()
    assert remote_head(bare_remote, submission.branch) == submission.head_commit
    assert len(github_forge.received) == 2
    assert [e.data["commit"] for e in _published_events()] == [
        submission.revisions.get(number=1).commit_sha, submission.head_commit]


def test_a_forge_refusal_is_recorded_and_keeps_the_submission(api, draft_url, github_forge, bare_remote,
                                                              django_capture_on_commit_callbacks):
    github_forge.expect("create-pull-request-401")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(draft_url + "submit/")

    assert response.status_code == 201
    submission = Submission.objects.get()
    assert (submission.status, submission.forge, submission.external_url) == ("open", "builtin", "")
    event, = _published_events()
    assert event.verb == "submission.publish_failed" and event.target_id == str(submission.pk)
    assert event.data["error"] == (f"GitHub answered 401 to POST /repos/{REPO}/pulls: Bad credentials "
                                   "(check GITHUB_TOKEN)")
    assert event.data["status"] == 401
    assert remote_head(bare_remote, submission.branch) == submission.head_commit  # the push came first
