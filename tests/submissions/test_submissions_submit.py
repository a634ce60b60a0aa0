"""contribution_submit: the branch, commit and rows it writes; strict validation that writes nothing; who may."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from submissions_helpers import PARENT, knowledge_data, skill_data

from labweb.models import AuditEvent
from taxonomy_app.contributions import (
    ContributionInvalid,
    contribution_delete,
    contribution_start,
    contribution_submit,
    contribution_update,
)
from taxonomy_app.git import Author
from taxonomy_app.models import Contribution, Revision, Submission
from taxonomy_app.qna import Attribution, ContributionData, from_qna_yaml, to_attribution_txt, to_qna_yaml

LEAF = f"{PARENT}/plain_english"


def _field_ids(excinfo) -> set:
    return {issue.field_id for issue in excinfo.value.issues}


def test_submit_writes_one_commit_on_a_new_branch_and_records_the_submission(
        contributor, ready_draft, sample_taxonomy, settings):
    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    draft = ready_draft(contributor)

    submission = contribution_submit(contribution=draft, actor=contributor)

    assert submission.branch == f"contrib/{submission.number}-plain-english"
    head = sample_taxonomy.resolve(submission.branch)
    assert sample_taxonomy.branches("contrib/") == {submission.branch: head}
    info = sample_taxonomy.commit_info(head)
    assert info.parents == (main_head,)
    assert sorted((c.status, c.path) for c in sample_taxonomy.changed_files(main_head, head)) == [
        ("A", f"{LEAF}/attribution.txt"), ("A", f"{LEAF}/qna.yaml")]
    expected = skill_data()
    expected.created_by = "casey"
    qna = sample_taxonomy.read_blob(head, f"{LEAF}/qna.yaml").decode()
    assert qna == to_qna_yaml(expected)
    read_back, issues = from_qna_yaml(qna, path=f"{LEAF}/qna.yaml")
    assert read_back.seeds == expected.seeds and not [i for i in issues if i.severity == "error"]
    assert sample_taxonomy.read_blob(head, f"{LEAF}/attribution.txt").decode() == to_attribution_txt(
        expected.attribution)
    assert (info.author_name, info.author_email) == ("Casey Contributor", "contributor@example.test")
    assert info.message == ("Plain English rewrites\n\nFive formal sentences, said plainly.\n\n"
                            "Signed-off-by: Casey Contributor <contributor@example.test>")

    submission.refresh_from_db()
    assert (submission.status, submission.base_commit, submission.head_commit) == ("open", main_head, head)
    assert (submission.title, submission.author, submission.kind, submission.taxonomy_path) == (
        "Plain English rewrites", contributor, "freeform_skill", LEAF)
    revision = Revision.objects.get(submission=submission)
    assert (revision.number, revision.commit_sha, revision.base_commit, revision.created_by) == (
        1, head, main_head, contributor)
    assert revision.qna_yaml == qna and revision.validation == {"mode": "strict", "errors": []}
    event = AuditEvent.objects.get(verb="submission.submitted")
    assert (event.actor, event.target_type, event.target_id) == (contributor, "taxonomy_app.submission",
                                                                 str(submission.pk))
    assert event.data == {"branch": submission.branch, "commit": head, "path": LEAF}
    draft.refresh_from_db()
    assert (draft.status, draft.submission) == ("submitted", submission)
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main_head


def test_the_description_keeps_its_paragraphs_with_unix_line_breaks(contributor, ready_draft, sample_taxonomy):
    draft = ready_draft(contributor, description="First paragraph.\r\n\r\nSecond one.\r\n")
    submission = contribution_submit(contribution=draft, actor=contributor)
    assert sample_taxonomy.commit_info(submission.head_commit).message == (
        "Plain English rewrites\n\nFirst paragraph.\n\nSecond one.\n\n"
        "Signed-off-by: Casey Contributor <contributor@example.test>")


def test_submit_without_description_has_title_and_trailer_only(contributor, ready_draft, sample_taxonomy):
    submission = contribution_submit(contribution=ready_draft(contributor, description=""), actor=contributor)
    assert sample_taxonomy.commit_info(submission.head_commit).message == (
        "Plain English rewrites\n\nSigned-off-by: Casey Contributor <contributor@example.test>")


def test_submit_of_an_edit_changes_the_existing_topic(contributor, sample_taxonomy, settings):
    path = "compositional_skills/linguistics/writing/declining_invitations"
    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    draft = contribution_start(owner=contributor, edits_path=path)
    contribution_update(contribution=draft, actor=contributor, dco_signed_off=True)
    with pytest.raises(ContributionInvalid) as excinfo:  # opened and submitted without a change
        contribution_submit(contribution=draft, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C8-unchanged"]
    assert sample_taxonomy.branches("contrib/") == {} and not Submission.objects.exists()

    data = draft.data
    data["task_description"] += " Keep it under a hundred words."
    contribution_update(contribution=draft, actor=contributor, data=ContributionData.from_dict(data))
    submission = contribution_submit(contribution=draft, actor=contributor)
    assert submission.branch == f"contrib/{submission.number}-declining-invitations"
    changes = sample_taxonomy.changed_files(main_head, submission.head_commit)
    assert [(c.status, c.path) for c in changes] == [("M", f"{path}/qna.yaml")]


# --- strict validation: every refusal names its fields and writes nothing --------------------------------


def _data(**changes):
    data = skill_data()
    for name, value in changes.items():
        setattr(data, name, value)
    return data


INVALID = {
    "too few seeds": ({"data": skill_data(4)}, {"seeds"}, "R12-too-few-seeds"),
    "duplicate question": (
        {"data": skill_data(questions=["Same question?", "Same question?", "Q three?", "Q four?", "Q five?"])},
        {"seed-1-pair-1-question", "seed-2-pair-1-question"}, "P2-duplicate-question"),
    "no attribution license": ({"data": _data(attribution=Attribution(title="Plain words", creators="Casey"))},
                               {"attribution-license"}, "F1-attribution-field"),
    "no attribution title": ({"data": _data(attribution=Attribution(license="CC-BY-4.0", creators="Casey"))},
                             {"attribution-title"}, "F1-attribution-field"),
    "no attribution at all": ({"data": _data(attribution=Attribution())}, {"attribution-title"},
                              "R16-attribution-missing"),
    "license not allowed": (
        {"data": _data(attribution=Attribution(title="T", license="Proprietary", creators="C"))},
        {"attribution-license"}, "F2-attribution-license"),
    "leaf name traversal": ({"leaf_name": "../etc"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name upper case": ({"leaf_name": "Upper"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name with spaces": ({"leaf_name": "plain english"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name with slash": ({"leaf_name": "a/b"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name too long": ({"leaf_name": "a" * 65}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name as a git option": ({"leaf_name": "--upload-pack=touch_x"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name as a ref range": ({"leaf_name": "main..x"}, {"leaf_name"}, "C2-leaf-name"),
    "leaf name clashes with a leaf": (
        {"parent_path": "compositional_skills/linguistics/writing", "leaf_name": "declining_invitations"},
        {"leaf_name"}, "C3-leaf-exists"),
    "leaf name clashes with a category": ({"leaf_name": "writing"}, {"leaf_name"}, "C3-leaf-exists"),
    "no such category": ({"parent_path": "compositional_skills/nowhere"}, {"path"}, "C1-path"),
    "parent is a leaf": ({"parent_path": "compositional_skills/linguistics/writing/declining_invitations"},
                         {"path"}, "C1-path"),
    "knowledge under compositional_skills": ({"kind": "knowledge", "data": knowledge_data()}, {"path"}, "C1-path"),
    "skill under knowledge": ({"parent_path": "knowledge/history"}, {"path"}, "C1-path"),
    "no DCO consent": ({"dco_signed_off": False}, {"dco"}, "C5-dco"),
    "empty title": ({"title": "   "}, {"title"}, "C4-title"),
    "empty task description": ({"data": _data(task_description=" ")}, {"task_description"}, None),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_invalid_contribution_is_refused_with_its_fields_and_nothing_is_written(
        case, contributor, ready_draft, nothing_written):
    overrides, fields, rule = INVALID[case]
    draft = ready_draft(contributor, **overrides)

    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)

    errors = [i for i in excinfo.value.issues if i.severity == "error"]
    assert errors == excinfo.value.issues
    assert {i.field_id for i in errors} == fields, [i.to_dict() for i in errors]
    if rule:
        assert rule in {i.rule for i in errors}
    nothing_written()
    draft.refresh_from_db()
    assert (draft.status, draft.submission_id) == ("draft", None)


def test_every_problem_is_listed_at_once(contributor, ready_draft, nothing_written):
    draft = ready_draft(contributor, leaf_name="Bad Name", title="", dco_signed_off=False, data=skill_data(3))
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert {"leaf_name", "title", "dco", "seeds"} <= _field_ids(excinfo)
    nothing_written()


def test_a_leaf_already_on_main_but_not_yet_indexed_is_a_clash(
        contributor, ready_draft, sample_taxonomy, commit_main, leaf_files):
    commit_main(sample_taxonomy, leaf_files(LEAF))  # the index is not synced: only git knows
    draft = ready_draft(contributor)
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [(i.field_id, i.rule) for i in excinfo.value.issues] == [("leaf_name", "C3-leaf-exists")]
    assert sample_taxonomy.branches("contrib/") == {} and not Submission.objects.exists()


def test_html_and_injection_attempts_are_stored_as_text_and_cannot_name_the_branch(
        contributor, ready_draft, sample_taxonomy):
    title = "<script>alert(1)</script>\n\nSigned-off-by: Mallory <m@evil.test>"
    draft = ready_draft(contributor, title=title, description="<b>bold</b>\x00 text")
    submission = contribution_submit(contribution=draft, actor=contributor)
    assert submission.title == "<script>alert(1)</script> Signed-off-by: Mallory <m@evil.test>"
    assert submission.description == "<b>bold</b> text"
    message = sample_taxonomy.commit_info(submission.head_commit).message
    assert message.splitlines()[0] == submission.title  # the subject stays one line: no forged trailer
    assert message.splitlines()[-1] == "Signed-off-by: Casey Contributor <contributor@example.test>"
    assert submission.branch == f"contrib/{submission.number}-plain-english"


def test_the_git_identity_drops_what_git_would_refuse(make_user, ready_draft, sample_taxonomy):
    user = make_user("contributor", "eve")
    user.first_name, user.last_name, user.email = "Eve <root>", "Evil\nName", "not an address"
    user.save()
    submission = contribution_submit(contribution=ready_draft(user), actor=user)
    info = sample_taxonomy.commit_info(submission.head_commit)
    assert (info.author_name, info.author_email) == ("Eve root Evil Name", f"user-{user.pk}@users.labweb.invalid")
    Author(info.author_name, info.author_email)


def test_over_long_fields_are_refused_on_save(contributor, ready_draft):
    draft = ready_draft(contributor)
    with pytest.raises(ValueError, match="at most 200"):
        contribution_update(contribution=draft, actor=contributor, title="x" * 201)
    draft.refresh_from_db()
    assert draft.title == "Plain English rewrites"


# --- permissions --------------------------------------------------------------------------------------


def test_anonymous_cannot_start(sample_taxonomy):
    with pytest.raises(PermissionDenied):
        contribution_start(owner=AnonymousUser(), kind="freeform_skill")
    assert not Contribution.objects.exists()


def test_a_user_without_the_contribute_permission_cannot_start(sample_taxonomy, django_user_model):
    with pytest.raises(PermissionDenied):
        contribution_start(owner=django_user_model.objects.create_user("norole"), kind="freeform_skill")


@pytest.mark.parametrize("role", ["contributor", "triager", "admin"])
def test_another_user_cannot_update_submit_or_delete(role, contributor, make_user, ready_draft, nothing_written):
    draft = ready_draft(contributor)
    other = make_user(role, f"other-{role}")
    with pytest.raises(PermissionDenied):
        contribution_update(contribution=draft, actor=other, title="Taken over")
    with pytest.raises(PermissionDenied):
        contribution_submit(contribution=draft, actor=other)
    with pytest.raises(PermissionDenied):
        contribution_delete(contribution=draft, actor=other)
    with pytest.raises(PermissionDenied):
        contribution_submit(contribution=draft, actor=AnonymousUser())
    draft.refresh_from_db()
    assert draft.title == "Plain English rewrites"
    nothing_written()


def test_the_owner_deletes_a_draft_but_not_a_submitted_contribution(contributor, ready_draft):
    draft = ready_draft(contributor, leaf_name="first")
    contribution_delete(contribution=draft, actor=contributor)
    assert not Contribution.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(verb="contribution.deleted", target_id=str(draft.pk)).exists()

    submitted = ready_draft(contributor, leaf_name="second")
    stale = Contribution.objects.get(pk=submitted.pk)
    contribution_submit(contribution=submitted, actor=contributor)
    for instance in (submitted, stale):  # a copy loaded before the submit is refused too
        with pytest.raises(PermissionDenied):
            contribution_delete(contribution=instance, actor=contributor)
    assert Contribution.objects.filter(pk=submitted.pk, status="submitted").exists()


def test_a_draft_whose_submit_is_being_written_cannot_be_deleted(contributor, ready_draft):
    draft = ready_draft(contributor)
    draft.submission = Submission.objects.create(title="t", author=contributor, kind="freeform_skill",
                                                 taxonomy_path=LEAF, branch="contrib/99-x")
    draft.save()
    with pytest.raises(PermissionDenied):
        contribution_delete(contribution=draft, actor=contributor)
    assert Contribution.objects.filter(pk=draft.pk).exists()


# --- double submit --------------------------------------------------------------------------------------


def test_a_second_submit_of_the_same_draft_is_refused(contributor, ready_draft, sample_taxonomy):
    draft = ready_draft(contributor)
    stale = Contribution.objects.get(pk=draft.pk)  # what a second browser tab still holds
    first = contribution_submit(contribution=draft, actor=contributor)

    with pytest.raises(ContributionInvalid) as same:
        contribution_submit(contribution=draft, actor=contributor)
    with pytest.raises(ContributionInvalid) as other_tab:
        contribution_submit(contribution=stale, actor=contributor)

    assert [i.rule for i in same.value.issues] == ["C8-unchanged"]
    assert [i.rule for i in other_tab.value.issues] == ["C6-already-submitted"]
    assert list(Submission.objects.values_list("pk", flat=True)) == [first.pk]
    assert list(sample_taxonomy.branches("contrib/")) == [first.branch]
    assert Revision.objects.count() == 1


def test_triagers_are_emailed_about_a_new_submission_after_commit(
        contributor, ready_draft, sample_taxonomy, make_user, mailoutbox, django_capture_on_commit_callbacks):
    make_user("triager", "tess")
    make_user("maintainer", "mo")
    make_user("contributor", "other-contributor")
    draft = ready_draft(contributor)
    with django_capture_on_commit_callbacks(execute=True):
        submission = contribution_submit(contribution=draft, actor=contributor)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["maintainer@example.test", "triager@example.test"]
    assert mail.subject == f"[LabWeb] New submission #{submission.number}: {submission.title}"
    assert f"/reviews/{submission.number}/" in mail.body and LEAF in mail.body


def test_a_refused_submission_emails_nobody(contributor, sample_taxonomy, make_user, mailoutbox,
                                            django_capture_on_commit_callbacks):
    make_user("triager", "tess")
    draft = contribution_start(owner=contributor, kind="freeform_skill", parent_path=PARENT)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ContributionInvalid):
        contribution_submit(contribution=draft, actor=contributor)
    assert mailoutbox == []
