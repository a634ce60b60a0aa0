"""Every action of the review page through the views: the services run, the workspace is drawn again (htmx) or
the page redirects with a message (no JavaScript); refusals say why with a fitting status."""

from __future__ import annotations

import re

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "workspace"}


def _post(client, submission, action, data=None, **headers):
    return client.post(f"/reviews/{submission.pk}/{action}/", data or {}, **{**HX, **headers})


def test_triager_works_a_submission_to_merge(client, people, submit, revise, sample_taxonomy, settings):
    from taxonomy_app.models import Comment, Submission

    draft, submission = submit(people["author"])
    client.force_login(people["triager"])

    response = _post(client, submission, "triage", {"state": "uncertain", "note": "Asking around"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace"') and "<html" not in html
    assert "The triage state is saved." in html
    assert Submission.objects.get(pk=submission.pk).triage_state == "uncertain"

    assert _post(client, submission, "assign", {"assignee": str(people["triager"].pk)}).status_code == 200
    assert Submission.objects.get(pk=submission.pk).assignee == people["triager"]
    response = _post(client, submission, "assign", {"assignee": str(people["triager"].pk)})
    assert response.status_code == 409 and "already assigned" in response.content.decode()
    assert _post(client, submission, "assign", {"assignee": str(people["other"].pk)}).status_code == 400

    assert _post(client, submission, "label", {"labels": ["question", "help-wanted"]}).status_code == 200
    assert Submission.objects.get(pk=submission.pk).labels == ["help-wanted", "question"]
    assert _post(client, submission, "label", {"labels": ["question"]}).status_code == 200
    assert Submission.objects.get(pk=submission.pk).labels == ["question"]
    assert _post(client, submission, "label", {"labels": ["bogus"]}).status_code == 400

    response = _post(client, submission, "comment", {"body": "Example 2 is **too formal**.", "anchor": "seed-2"})
    assert response.status_code == 200
    comment = Comment.objects.get(submission=submission, anchor="seed-2")
    html = response.content.decode()
    assert "<strong>too formal</strong>" in html and 'href="#seed-2"' in html and "example 2" in html
    assert _post(client, submission, "comment", {"body": "x", "anchor": "seed-9"}).status_code == 400
    assert _post(client, submission, "comment", {"body": "   "}).status_code == 400

    assert _post(client, submission, "request-changes", {"message": ""}).status_code == 400
    response = _post(client, submission, "request-changes", {"message": "Please make example 2 plainer."})
    assert response.status_code == 200
    assert Submission.objects.get(pk=submission.pk).status == "changes_requested"

    # The contributor answers in the thread and resolves it, then revises.
    client.force_login(people["author"])
    assert _post(client, submission, "comment", {"body": "Done, see revision 2.",
                                                 "parent": str(comment.pk)}).status_code == 200
    assert comment.replies.count() == 1
    assert _post(client, submission, "resolve", {"comment": str(comment.pk)}).status_code == 200
    assert Comment.objects.get(pk=comment.pk).resolved
    assert _post(client, submission, "resolve", {"comment": str(comment.pk)}).status_code == 409
    assert _post(client, submission, "unresolve", {"comment": str(comment.pk)}).status_code == 200
    assert not Comment.objects.get(pk=comment.pk).resolved
    revise(draft, people["author"])
    assert Submission.objects.get(pk=submission.pk).status == "open"

    client.force_login(people["triager"])
    response = _post(client, submission, "approve")
    assert response.status_code == 200 and "Approved." in response.content.decode()
    assert _post(client, submission, "approve").status_code == 409  # already approved revision 2
    page = client.get(f"/reviews/{submission.pk}/").content.decode()
    assert "Merge into" not in page  # a triager cannot merge

    client.force_login(people["maintainer"])
    assert "Merge into" in client.get(f"/reviews/{submission.pk}/").content.decode()
    response = _post(client, submission, "merge")
    assert response.status_code == 200, response.content.decode()
    merged = Submission.objects.get(pk=submission.pk)
    assert merged.status == "merged"
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == merged.merged_commit
    assert "Merged into" in response.content.decode()
    timeline = client.get(f"/reviews/{submission.pk}/").content.decode()
    for words in ("changed the triage state", "requested changes", "wrote revision 2", "approved it", "merged it"):
        assert words in timeline


def test_without_javascript_actions_redirect_with_a_message(client, people, submission):
    from taxonomy_app.models import Submission

    client.force_login(people["triager"])
    response = client.post(f"/reviews/{submission.pk}/close/", {"reason": ""}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/reviews/{submission.pk}/#workspace")
    assert "Say why" in response.content.decode()
    response = client.post(f"/reviews/{submission.pk}/close/", {"reason": "Jokes are not teachable."}, follow=True)
    assert "The submission is closed." in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).status == "closed"
    response = client.post(f"/reviews/{submission.pk}/reopen/", follow=True)
    assert Submission.objects.get(pk=submission.pk).status == "open"


def test_author_withdraws_and_reopens(client, people, submission):
    from taxonomy_app.models import Submission

    client.force_login(people["author"])
    assert _post(client, submission, "close", {"reason": ""}).status_code == 200
    assert Submission.objects.get(pk=submission.pk).status == "closed"
    assert _post(client, submission, "reopen").status_code == 200
    assert Submission.objects.get(pk=submission.pk).status == "open"


def test_merge_conflict_names_the_file(client, people, submit, make_user):
    from taxonomy_app import reviews

    first = submit(people["author"], leaf_name="same_leaf")[1]
    second = submit(people["other"], leaf_name="same_leaf")[1]
    for s in (first, second):
        reviews.submission_approve(submission=s, actor=people["triager"])
    reviews.submission_merge(submission=first, actor=people["maintainer"], strategy="merge")
    client.force_login(people["maintainer"])
    response = _post(client, second, "merge")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was merged" in html
    assert "Conflicting file" in html and "compositional_skills/linguistics/same_leaf/qna.yaml" in html


def test_comment_markdown_is_sanitised(client, people, submission):
    client.force_login(people["triager"])
    body = ('<script>alert("x")</script> <img src=x onerror="alert(1)"> [link](javascript:alert(2)) '
            '**kept** <a href="https://example.test" onclick="steal()">ok</a>')
    assert _post(client, submission, "comment", {"body": body}).status_code == 200
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    comment = html[html.index('class="comment-body"'):]
    comment = comment[:comment.index("</div>")]
    assert "<strong>kept</strong>" in comment
    assert "<script" not in comment and "onerror" not in comment and "onclick" not in comment
    assert "javascript:" not in comment
    assert not re.search(r"<img", comment)


def test_checks_show_line_anchored_messages_and_duplicates(client, people, submit):
    from taxonomy_app.models import Revision, SearchItem

    existing = SearchItem.objects.filter(field="question").select_related("node").order_by("id").first()
    questions = [existing.text.strip()] + [f"A brand new question number {i} about plain words?" for i in range(2, 6)]
    submission = submit(people["author"], leaf_name="dup_leaf", questions=questions)[1]
    client.force_login(people["triager"])
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    duplicates = html[html.index('id="duplicates"'):html.index('id="changes"')]
    assert existing.node.path in duplicates and "example 1" in duplicates

    revision = Revision.objects.get(submission=submission, number=1)
    revision.qna_yaml = revision.qna_yaml.replace("task_description:", "task_descripton:")
    revision.save(update_fields=["qna_yaml"])
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    checks = html[html.index('id="checks"'):html.index('id="duplicates"')]
    assert "check-bad" in checks
    assert re.search(r'<span class="where">line \d+', checks)


def test_diff_between_revisions_and_against_main(client, people, submit, revise):
    draft, submission = submit(people["author"])
    revise(draft, people["author"], " (second)")
    client.force_login(people["triager"])
    response = client.get(f"/reviews/{submission.pk}/", {"part": "diff", "old": "1", "new": "2", "layout": "unified"},
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="diff"')
    assert 'class="diff-add"' in html and "(second)" in html
    # Side by side by default: the changed line's old text on the left and the new text on the right.
    split = client.get(f"/reviews/{submission.pk}/", {"part": "diff", "old": "1", "new": "2"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert '<table class="diff-split">' in split and "diff-add" not in split
    row = re.search(r'<tr class="split-change">(.*?)</tr>', split, re.S)
    assert row and "(second)" in row.group(1).split('class="new"')[1] and "(second)" not in row.group(1).split('class="new"')[0]
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    assert 'option value="main" selected' in html and 'class="split-add"' in html
    response = client.get(f"/reviews/{submission.pk}/", {"part": "diff", "old": "zzz"}, HTTP_HX_REQUEST="true")
    assert "Choose two versions" in response.content.decode()


def test_canned_responses_are_offered_to_reviewers(client, people, submission):
    from taxonomy_app.models import CannedResponse

    CannedResponse.objects.create(title="Zz test response", body="Thanks! <b>bold</b> & more")
    client.force_login(people["triager"])
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    assert 'data-body="Thanks! &lt;b&gt;bold&lt;/b&gt; &amp; more"' in html
    assert "canned-response" in html


def test_the_document_check_of_a_knowledge_submission_is_shown(client, people, sample_taxonomy):
    from taxonomy_app.models import Contribution, Revision, Submission

    author = people["author"]
    submission = Submission.objects.create(title="Tides", author=author, kind="knowledge",
                                           taxonomy_path="knowledge/science/tides", status="open")
    Revision.objects.create(submission=submission, number=1, commit_sha="a" * 40, base_commit="b" * 40,
                            qna_yaml="version: 3\n", attribution="", created_by=author)
    Contribution.objects.create(owner=author, kind="knowledge", submission=submission, status="submitted",
                                document_check={"status": "failed", "files": [], "issues": [
                                    {"message": "None of the patterns matched a Markdown or PDF file.", "detail": ""}]})
    client.force_login(people["triager"])
    html = client.get(f"/reviews/{submission.pk}/").content.decode()
    assert "Source documents:" in html and "not found" in html
    assert "None of the patterns matched a Markdown or PDF file." in html
