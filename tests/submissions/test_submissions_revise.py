"""Revising a submission: each later submit is a new commit on the same branch and a new revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from submissions_helpers import PARENT, skill_data

from labweb.models import AuditEvent
from taxonomy_app.contributions import ContributionInvalid, contribution_submit, contribution_update
from taxonomy_app.git import Author, TaxonomyRepository
from taxonomy_app.models import Revision, Submission

LEAF = f"{PARENT}/plain_english"


@pytest.fixture
def submitted(contributor, ready_draft):
    draft = ready_draft(contributor)
    return draft, contribution_submit(contribution=draft, actor=contributor)


def _edit(draft, actor, *, tag: str = " (revised)", **fields):
    return contribution_update(contribution=draft, actor=actor, data=skill_data(tag=tag), **fields)


def test_a_revision_is_a_new_commit_on_the_same_branch(submitted, contributor, sample_taxonomy, settings):
    draft, submission = submitted
    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    first_head = submission.head_commit
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.CHANGES_REQUESTED)

    _edit(draft, contributor, title="Plain English rewrites, take two")
    revised = contribution_submit(contribution=draft, actor=contributor)

    assert revised.pk == submission.pk and revised.branch == submission.branch
    head = sample_taxonomy.resolve(submission.branch)
    assert head != first_head and sample_taxonomy.branches("contrib/") == {submission.branch: head}
    info = sample_taxonomy.commit_info(head)
    assert info.parents == (first_head,)
    assert info.message.splitlines()[0] == "Plain English rewrites, take two"
    assert (info.author_name, info.author_email) == ("Casey Contributor", "contributor@example.test")
    assert [c.path for c in sample_taxonomy.changed_files(first_head, head)] == [f"{LEAF}/qna.yaml"]
    assert "(revised)" in sample_taxonomy.read_blob(head, f"{LEAF}/qna.yaml").decode()

    revised.refresh_from_db()
    assert (revised.status, revised.head_commit, revised.base_commit) == ("open", head, main_head)
    assert revised.title == "Plain English rewrites, take two"
    assert list(revised.revisions.values_list("number", "commit_sha")) == [(1, first_head), (2, head)]
    event = AuditEvent.objects.get(verb="submission.revised")
    assert event.data == {"revision": 2, "commit": head, "previous_status": "changes_requested"}
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main_head

    _edit(draft, contributor, tag=" (third)")
    third = contribution_submit(contribution=draft, actor=contributor)
    assert sample_taxonomy.commit_info(third.head_commit).parents == (head,)
    assert list(third.revisions.values_list("number", flat=True)) == [1, 2, 3]


def test_an_unchanged_revision_is_refused(submitted, contributor, sample_taxonomy):
    draft, submission = submitted
    contribution_update(contribution=draft, actor=contributor, title="Only the title changed")
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C8-unchanged"]
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit
    assert Revision.objects.count() == 1


@pytest.mark.parametrize("status", ["closed", "merged", "approved"])
def test_a_submission_that_is_no_longer_open_takes_no_revision(status, submitted, contributor, sample_taxonomy):
    draft, submission = submitted
    edited = _edit(draft, contributor)  # saved while still open
    Submission.objects.filter(pk=submission.pk).update(status=status)

    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=edited, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C7-not-open"]
    with pytest.raises(PermissionDenied):
        _edit(draft, contributor, tag=" (later)")
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit
    assert Revision.objects.count() == 1


def test_a_revision_is_validated_like_a_first_submit(submitted, contributor, sample_taxonomy):
    draft, submission = submitted
    contribution_update(contribution=draft, actor=contributor, data=skill_data(3, tag=" (short)"))
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert {i.field_id for i in excinfo.value.issues} == {"seeds"}
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit


def test_a_submitted_topic_cannot_move(submitted, contributor, sample_taxonomy):
    draft, submission = submitted
    _edit(draft, contributor, leaf_name="somewhere_else")
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [(i.field_id, i.rule) for i in excinfo.value.issues] == [("path", "C10-path-fixed")]
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit


def test_a_branch_moved_by_someone_else_refuses_the_revision(submitted, contributor, sample_taxonomy):
    draft, submission = submitted
    other = sample_taxonomy.commit_files(ref=submission.branch, changes={f"{LEAF}/notes.txt": b"x\n"},
                                         message="Someone else", author=Author("Other", "o@example.test"))
    _edit(draft, contributor)
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C9-git"]
    assert sample_taxonomy.resolve(submission.branch) == other
    assert Revision.objects.count() == 1


def test_closing_while_a_revision_is_written_takes_the_commit_back(
        submitted, contributor, sample_taxonomy, monkeypatch):
    draft, submission = submitted
    real = TaxonomyRepository.commit_files

    def commit_then_close(self, **kwargs):
        head = real(self, **kwargs)
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.CLOSED)
        return head

    monkeypatch.setattr(TaxonomyRepository, "commit_files", commit_then_close)
    _edit(draft, contributor)
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C7-not-open"]
    assert sample_taxonomy.resolve(submission.branch) == submission.head_commit
    assert Revision.objects.count() == 1
