"""Submitting from the form: the branch and the submission, refusals that write nothing, revisions and their diff,
and suggesting a change to an existing topic."""

from __future__ import annotations

import re

import pytest
from contribute_helpers import HTMX, SKILL_PARENT, filled_skill_post, form_fields

from taxonomy_app.contributions import BRANCH_PREFIX
from taxonomy_app.models import Contribution, Revision, Submission

LEAF = "compositional_skills/linguistics/writing/polite_refusals"
EXISTING = "compositional_skills/linguistics/proverbs/explaining_proverbs"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def test_submit_writes_the_branch_and_the_submission(logged_in, start_draft, sample_taxonomy):
    draft = start_draft()
    main_before = sample_taxonomy.resolve("main")
    # The submit button posts the whole form: what was typed just before counts even if autosave never ran.
    response = logged_in.post(f"/contribute/{draft.pk}/submit/", filled_skill_post())
    submission = Submission.objects.get()
    assert response.status_code == 302 and response.url == f"/contribute/submissions/{submission.number}/"
    assert submission.status == "open" and submission.taxonomy_path == LEAF
    assert submission.branch == f"{BRANCH_PREFIX}{submission.number}-polite-refusals"
    head = sample_taxonomy.resolve(submission.branch)
    assert head == submission.head_commit
    qna = sample_taxonomy.read_blob(head, f"{LEAF}/qna.yaml").decode()
    assert "How do I say no to invitation number 5?" in qna and "created_by: owner" in qna
    assert "License of the work: CC-BY-4.0" in sample_taxonomy.read_blob(head, f"{LEAF}/attribution.txt").decode()
    assert sample_taxonomy.resolve("main") == main_before

    page = html(logged_in.get(response.url))
    assert f"Submitted as #{submission.number}" in page and submission.branch in page
    assert page.count('class="seed-card"') == 5 and "How do I say no to invitation number 2?" in page
    assert "Revision 1" in page and head[:12] in page
    assert '<span class="diff-add">+  - question: How do I say no to invitation number 1?</span>' in page
    mine = html(logged_in.get("/my/"))
    assert f"#{submission.number} open" in mine and LEAF in mine and "Edit and resubmit" in mine
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.submission_id == submission.pk
    # A submitted contribution is not a draft any more: it cannot be deleted.
    assert logged_in.post(f"/contribute/{draft.pk}/delete/").status_code == 302
    assert Contribution.objects.filter(pk=draft.pk).exists()


def test_submit_with_problems_writes_nothing_and_lists_them(logged_in, start_draft, sample_taxonomy):
    draft = start_draft()
    branches_before = sample_taxonomy.branches()
    post = filled_skill_post(title="", dco="")
    del post["dco"]
    response = logged_in.post(f"/contribute/{draft.pk}/submit/", post)
    assert response.status_code == 200
    page = html(response)
    assert "Not submitted yet: 2 things still need fixing. They are listed" in page
    assert 'href="#title">Title</a>: Give your contribution a short title.' in page
    assert 'href="#dco">Permission to contribute</a>' in page
    assert 'class="contribute-layout show-all"' in page  # every message shows now, empty fields included
    assert not Submission.objects.exists() and not Revision.objects.exists()
    assert sample_taxonomy.branches() == branches_before
    assert not sample_taxonomy.branches(BRANCH_PREFIX)
    # What was posted was still saved as the draft.
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.data["seeds"][0]["pairs"][0]["question"].startswith("How do I say")


def test_submit_refused_by_the_parser_saves_and_writes_nothing(logged_in, start_draft, sample_taxonomy):
    draft = start_draft()
    response = logged_in.post(f"/contribute/{draft.pk}/submit/", {**filled_skill_post(), "seeds-count": "100000"})
    assert response.status_code == 200 and "at most 500 examples" in html(response)
    assert not Submission.objects.exists() and not sample_taxonomy.branches(BRANCH_PREFIX)


def test_revisions_and_the_diff_between_any_two(logged_in, start_draft, sample_taxonomy):
    draft = start_draft()
    submit_url = f"/contribute/{draft.pk}/submit/"
    first = logged_in.post(submit_url, filled_skill_post())
    submission = Submission.objects.get()

    # The same content again is refused with a message; nothing new is written.
    again = logged_in.post(submit_url, filled_skill_post())
    assert again.status_code == 200
    assert "Nothing changed since the last revision." in html(again)
    assert submission.revisions.count() == 1
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit

    # The form of a submitted contribution says so, keeps the place fixed and offers a new revision.
    page = html(logged_in.get(f"/contribute/{draft.pk}/"))
    assert f"submission #{submission.number}" in page and "Submit a new revision" in page and 'name="leaf_name"' not in page
    assert "No changes since revision 1 yet" in page
    post = form_fields(page)
    post["seed-2-pair-1-answer"] = "No, thank you; I already have plans that evening."
    response = logged_in.post(submit_url, {**post, "dco": "on"})
    assert response.status_code == 302 and response.url == first.url
    submission.refresh_from_db()
    assert submission.revisions.count() == 2
    head = sample_taxonomy.resolve(submission.branch)
    assert head == submission.head_commit and submission.revisions.get(number=2).commit_sha == head

    page = html(logged_in.get(first.url))
    assert "Revision 2" in page and "Revision 1" in page
    diff = html(logged_in.get(first.url, {"old": "1", "new": "2", "part": "diff"}, headers=HTMX))
    assert "<html" not in diff
    assert re.search(r'<span class="diff-del">-\s+answer: Thank you so much for asking; I cannot come this time '
                     r"\(2\)\.</span>", diff)
    assert '<span class="diff-add">+    answer: No, thank you; I already have plans that evening.</span>' in diff
    assert "No differences" in html(logged_in.get(first.url, {"old": "2", "new": "2", "part": "diff"},
                                                  headers=HTMX))
    assert "Choose two versions" in html(logged_in.get(first.url, {"old": "7", "new": "2", "part": "diff"},
                                                       headers=HTMX))


def test_suggest_a_change_to_an_existing_topic(logged_in, owner, sample_taxonomy, make_user, client):
    leaf = html(logged_in.get(f"/taxonomy/node/{EXISTING}"))
    assert "Suggest a change" in leaf and f'name="edits_path" value="{EXISTING}"' in leaf
    response = logged_in.post("/contribute/new/", {"edits_path": EXISTING})
    draft = Contribution.objects.get()
    assert response.url == f"/contribute/{draft.pk}/" and draft.edits_path == EXISTING
    page = html(logged_in.get(response.url))
    assert "Suggest a change to a topic" in page and f"<code>{EXISTING}</code>" in page
    fields = form_fields(page)
    assert "parent_path" not in fields and "leaf_name" not in fields
    assert fields["seed-2-pair-1-question"]  # prefilled from the topic
    # A second "Suggest a change" goes back to the same draft.
    assert logged_in.post("/contribute/new/", {"edits_path": EXISTING}).url == response.url
    assert Contribution.objects.count() == 1

    # Unchanged, it is refused; changed, it becomes a submission that edits that topic's file.
    fields.update({"title": "Clearer proverb answers", "dco": "on"})
    refused = logged_in.post(f"/contribute/{draft.pk}/submit/", fields)
    assert refused.status_code == 200 and not Submission.objects.exists()
    fields["seed-2-pair-1-answer"] = "It means that a task is easier when many people help."
    submitted = logged_in.post(f"/contribute/{draft.pk}/submit/", fields)
    submission = Submission.objects.get()
    assert submitted.url == f"/contribute/submissions/{submission.number}/"
    assert submission.taxonomy_path == EXISTING
    qna = sample_taxonomy.read_blob(submission.head_commit, f"{EXISTING}/qna.yaml").decode()
    assert "It means that a task is easier when many people help." in qna

    # Anonymous visitors are invited to log in instead; triagers see the button too.
    client.logout()
    assert "Log in</a> to suggest a change" in html(client.get(f"/taxonomy/node/{EXISTING}"))
    client.force_login(make_user("triager"))
    assert "Suggest a change" in html(client.get(f"/taxonomy/node/{EXISTING}"))


def test_delete_a_draft_after_confirming(logged_in, start_draft):
    draft = start_draft()
    confirm = html(logged_in.get(f"/contribute/{draft.pk}/delete/"))
    assert "Delete this draft?" in confirm and "cannot be undone" in confirm
    assert Contribution.objects.filter(pk=draft.pk).exists()
    response = logged_in.post(f"/contribute/{draft.pk}/delete/")
    assert response.url == "/my/" and not Contribution.objects.filter(pk=draft.pk).exists()
    assert "was deleted" in html(logged_in.get("/my/"))
    assert logged_in.get(f"/contribute/{draft.pk}/").status_code == 404


def test_the_own_work_button_fills_the_source(logged_in, owner, start_draft):
    owner.first_name, owner.last_name = "Olive", "Owner"
    owner.save()
    draft = start_draft(parent_path=SKILL_PARENT)
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", {"title": "Kind refusals", "own_work": "1"},
                               headers=HTMX))
    assert 'id="attribution-fields" hx-swap-oob="innerHTML"' in text
    assert 'value="Kind refusals"' in text and 'value="Olive Owner"' in text
    draft.refresh_from_db()
    assert draft.data["attribution"]["creators"] == "Olive Owner"
    assert draft.data["attribution"]["title"] == "Kind refusals"


def test_a_merged_or_closed_submission_can_no_longer_be_changed(logged_in, start_draft):
    draft = start_draft()
    logged_in.post(f"/contribute/{draft.pk}/submit/", filled_skill_post())
    Submission.objects.update(status="merged")
    number = Submission.objects.get().number
    page = html(logged_in.get(f"/contribute/{draft.pk}/"))
    assert "It can no longer be changed." in page and '<fieldset class="contribute-main" disabled>' in page
    assert "Submit a new revision" not in page and "Upload or paste" not in page
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", {"title": "Changed"}, headers=HTMX))
    assert "no longer open for changes" in text
    assert Contribution.objects.get(pk=draft.pk).title == "Decline invitations politely"
    mine = html(logged_in.get("/my/"))
    assert f"#{number} merged" in mine and "Edit and resubmit" not in mine
    submission_page = html(logged_in.get(f"/contribute/submissions/{number}/"))
    assert "merged into main" in submission_page and "Edit and resubmit" not in submission_page


def test_without_javascript_the_buttons_post_the_form_and_come_back(logged_in, start_draft):
    draft = start_draft()
    page = html(logged_in.get(f"/contribute/{draft.pk}/"))
    assert "<noscript><button type=\"submit\" form=\"contribution-form\" class=\"secondary\">Save draft" in page
    fields = form_fields(page)
    response = logged_in.post(f"/contribute/{draft.pk}/", {**fields, "title": "Saved without scripts",
                                                           "choose_parent": SKILL_PARENT, "own_work": "1"})
    assert response.status_code == 302 and response.url == f"/contribute/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.title == "Saved without scripts" and draft.parent_path == SKILL_PARENT
    assert draft.data["attribution"]["creators"] == "owner"
    assert "Your draft is saved." in html(logged_in.get(response.url))


def test_a_repository_failure_on_submit_says_so_and_leaves_nothing_behind(logged_in, start_draft, sample_taxonomy,
                                                                          monkeypatch):
    from taxonomy_app.git import RepositoryLocked, TaxonomyRepository

    def locked(*args, **kwargs):
        raise RepositoryLocked("the repository is locked by another writer")

    monkeypatch.setattr(TaxonomyRepository, "commit_files", locked)
    draft = start_draft()
    response = logged_in.post(f"/contribute/{draft.pk}/submit/", filled_skill_post())
    assert response.status_code == 503
    assert "The taxonomy repository could not be written just now. Nothing was submitted" in html(response)
    assert not Submission.objects.exists() and not sample_taxonomy.branches(BRANCH_PREFIX)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.submission_id is None
