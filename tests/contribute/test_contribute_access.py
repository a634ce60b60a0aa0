"""Every contribution endpoint for anonymous visitors, the owner, another contributor, a triager and an admin."""

from __future__ import annotations

import pytest
from contribute_helpers import HTMX, filled_skill_post
from django.core.files.uploadedfile import SimpleUploadedFile

from taxonomy_app.contributions import contribution_submit, contribution_update
from taxonomy_app.models import Contribution
from taxonomy_app.qna import ContributionData

VISITORS = ("anonymous", "owner", "contributor", "triager", "admin")


@pytest.fixture
def drafts(start_draft, owner):
    """A draft and a submitted contribution, both the owner's."""
    from contribute_helpers import SKILL_PARENT

    draft = start_draft("freeform_skill", parent_path=SKILL_PARENT)
    submitted = start_draft("freeform_skill")
    post = filled_skill_post()
    data = ContributionData.empty("freeform_skill")
    for n, seed in enumerate(data.seeds, start=1):
        seed.pairs[0].question = post[f"seed-{n}-pair-1-question"]
        seed.pairs[0].answer = post[f"seed-{n}-pair-1-answer"]
    data.task_description = post["task_description"]
    data.attribution.title, data.attribution.license, data.attribution.creators = "Work", "MIT", "Owner"
    contribution_update(contribution=submitted, actor=owner, data=data, title="Submitted", parent_path=SKILL_PARENT,
                        leaf_name="submitted_topic", dco_signed_off=True)
    submission = contribution_submit(contribution=submitted, actor=owner)
    return draft, submitted, submission


def _client(client, who, owner, make_user):
    if who == "owner":
        client.force_login(owner)
    elif who != "anonymous":
        client.force_login(make_user(who, f"other-{who}"))
    return client


def _requests(draft: Contribution, submission) -> list[tuple[str, str, dict]]:
    base = f"/contribute/{draft.pk}/"
    return [
        ("get", base, {}),
        ("post", base, {"title": "x"}),
        ("post", base + "autosave/", {"title": "x"}),
        ("post", base + "rows/", {"op": "add-seed"}),
        ("get", base + "picker/?path=compositional_skills", {}),
        ("get", base + "picker/search/?picker_q=writing", {}),
        ("get", base + "document-fields/", {}),
        ("get", base + "download/", {}),
        ("get", base + "upload/", {}),
        ("post", base + "upload/", {"text": "version: 3\n"}),
        ("get", base + "delete/", {}),
        ("post", base + "submit/", {}),
    ]


@pytest.mark.parametrize("who", VISITORS)
def test_only_the_owner_reaches_a_draft(client, owner, make_user, drafts, who):
    draft, _, submission = drafts
    client = _client(client, who, owner, make_user)
    for method, url, data in _requests(draft, submission):
        response = getattr(client, method)(url, data)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response.url.startswith("/accounts/login/?next=/contribute/"), url
        elif who == "owner":
            assert response.status_code in (200, 302), (url, response.status_code)
        else:
            assert response.status_code == 403, (url, response.status_code)
    # Deleting someone else's draft does nothing.
    response = client.post(f"/contribute/{draft.pk}/delete/")
    assert Contribution.objects.filter(pk=draft.pk).exists() is (who != "owner")
    if who not in ("anonymous", "owner"):
        assert response.status_code == 403


def test_a_logged_out_page_is_told_instead_of_redirected(client, drafts):
    draft, _, _ = drafts
    response = client.post(f"/contribute/{draft.pk}/autosave/", {"title": "typed"}, headers=HTMX)
    assert response.status_code == 401
    assert "logged out" in response.content.decode()
    assert Contribution.objects.get(pk=draft.pk).title == ""


@pytest.mark.parametrize("who", VISITORS)
def test_submission_page_is_for_its_author_triagers_and_admins(client, owner, make_user, drafts, who):
    _, _, submission = drafts
    client = _client(client, who, owner, make_user)
    response = client.get(f"/contribute/submissions/{submission.number}/")
    expected = {"anonymous": 302, "owner": 200, "contributor": 404, "triager": 200, "admin": 200}[who]
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert "Submitted" in html and submission.branch in html
        # Only the author may revise it.
        assert ("Edit and resubmit" in html) is (who == "owner")
    assert client.get("/contribute/submissions/999/").status_code in (302, 404)


@pytest.mark.parametrize("who", VISITORS)
def test_start_my_contributions_and_new(client, owner, make_user, drafts, who):
    client = _client(client, who, owner, make_user)
    pages = [client.get("/contribute/"), client.get("/my/")]
    if who == "anonymous":
        assert [p.status_code for p in pages] == [302, 302]
        assert pages[0].url == "/accounts/login/?next=/contribute/"
        response = client.post("/contribute/new/", {"kind": "freeform_skill"})
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        return
    assert [p.status_code for p in pages] == [200, 200]
    mine = pages[1].content.decode()
    # Everyone sees only their own contributions.
    assert ("Submitted" in mine) is (who == "owner")
    before = Contribution.objects.count()
    response = client.post("/contribute/new/", {"kind": "knowledge"})
    created = Contribution.objects.latest("pk")
    assert Contribution.objects.count() == before + 1 and created.kind == "knowledge"
    assert response.url == f"/contribute/{created.pk}/"
    assert client.get(response.url).status_code == 200


def test_a_user_without_the_contributor_role_cannot_start(client, sample_taxonomy):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody", "nobody@example.test", "pw"))
    page = client.get("/contribute/").content.decode()
    assert "cannot start contributions" in page
    assert client.post("/contribute/new/", {"kind": "freeform_skill"}).status_code == 403
    assert not Contribution.objects.exists()


def test_start_refuses_unknown_kinds_and_topics(client, owner, sample_taxonomy):
    client.force_login(owner)
    response = client.post("/contribute/new/", {"kind": "<script>"}, follow=True)
    assert "Unknown kind" in response.content.decode() and "<script>" not in response.content.decode()
    response = client.post("/contribute/new/", {"edits_path": "compositional_skills/nope"}, follow=True)
    assert "There is no topic at" in response.content.decode()
    assert not Contribution.objects.exists()


def test_uploads_are_owner_only_too(client, make_user, drafts):
    draft, _, _ = drafts
    client.force_login(make_user("contributor", "intruder"))
    upload = SimpleUploadedFile("qna.yaml", b"version: 3\n")
    assert client.post(f"/contribute/{draft.pk}/upload/", {"file": upload, "confirm": "1"}).status_code == 403


def test_csrf_is_required_on_every_post(owner, drafts):
    from django.test import Client

    draft, _, _ = drafts
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    for url in ("/contribute/new/", f"/contribute/{draft.pk}/autosave/", f"/contribute/{draft.pk}/rows/",
                f"/contribute/{draft.pk}/submit/", f"/contribute/{draft.pk}/delete/",
                f"/contribute/{draft.pk}/upload/"):
        assert client.post(url, {"title": "x", "kind": "freeform_skill"}).status_code == 403, url
    assert Contribution.objects.get(pk=draft.pk).title == ""
