"""Who may take which review decision, and from which state: the permission matrix and the state machine."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from labweb.models import AuditEvent, Notification
from taxonomy_app import reviews
from taxonomy_app.models import Approval, Comment, Submission
from taxonomy_app.reviews import InvalidInput, InvalidTransition, MergeBlocked, NotAllowed

ACTORS = ("anonymous", "author", "other", "triager", "maintainer", "admin")
REVIEWERS = {"triager", "maintainer", "admin"}


def _actor(people, name):
    return AnonymousUser() if name == "anonymous" else people[name]


def _decide(action, submission, actor):
    calls = {
        "triage": lambda: reviews.submission_triage(submission=submission, actor=actor, state="uncertain",
                                                    note="Not sure this is teachable."),
        "assign": lambda: reviews.submission_assign(submission=submission, actor=actor,
                                                    assignee=User.objects.get(username="triager-2")),
        "label": lambda: reviews.submission_label(submission=submission, actor=actor, add=["legal-hold"]),
        "request_changes": lambda: reviews.submission_request_changes(submission=submission, actor=actor,
                                                                      message="Please add a sixth example."),
        "approve": lambda: reviews.submission_approve(submission=submission, actor=actor),
        "close": lambda: reviews.submission_close(submission=submission, actor=actor, reason="Out of scope."),
        "comment": lambda: reviews.comment_add(submission=submission, actor=actor, body="Looks *good*."),
    }
    return calls[action]()


ALLOWED = {
    "triage": REVIEWERS, "assign": REVIEWERS, "label": REVIEWERS, "request_changes": REVIEWERS,
    "approve": REVIEWERS, "close": REVIEWERS | {"author"}, "comment": REVIEWERS | {"author"},
}


def _reset(submission, status="open"):
    """Back to a fresh state between cases (one sample taxonomy per test keeps the suite fast)."""
    Approval.objects.all().delete()
    Comment.objects.all().delete()
    Submission.objects.filter(pk=submission.pk).update(status=status, triage_state="needed", labels=[],
                                                       assignee=None)
    submission.refresh_from_db()


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(action, people, submission):
    for who in ACTORS:
        _reset(submission)
        actor = _actor(people, who)
        events = AuditEvent.objects.count()
        if who in ALLOWED[action]:
            _decide(action, submission, actor)
            assert AuditEvent.objects.count() == events + 1, who
        else:
            before = Submission.objects.values().get(pk=submission.pk)
            with pytest.raises(NotAllowed) as excinfo:
                _decide(action, submission, actor)
            assert excinfo.value.message, who  # plain words, for the page
            assert Submission.objects.values().get(pk=submission.pk) == before, who
            assert AuditEvent.objects.count() == events and not Comment.objects.exists(), who


@pytest.mark.parametrize("who", ACTORS)
def test_only_maintainers_and_admins_merge(who, people, submission):
    reviews.submission_approve(submission=submission, actor=people["triager"])
    actor = _actor(people, who)
    if who in ("maintainer", "admin"):
        merged = reviews.submission_merge(submission=submission, actor=actor)
        assert merged.status == Submission.Status.MERGED
    else:
        with pytest.raises(NotAllowed, match="Only maintainers and administrators can merge"):
            reviews.submission_merge(submission=submission, actor=actor)
        assert Submission.objects.get(pk=submission.pk).status == Submission.Status.APPROVED


def test_nobody_approves_or_rejects_their_own_submission(people, submit):
    submission = submit(people["triager"], leaf_name="own_work")[1]
    for action in ("approve", "request_changes"):
        with pytest.raises(NotAllowed, match="own submission"):
            _decide(action, submission, people["triager"])
    withdrawn = reviews.submission_close(submission=submission, actor=people["triager"], reason="")
    assert (withdrawn.status, withdrawn.triage_state) == ("closed", "needed")  # withdrawn, not rejected


# --- the state machine -------------------------------------------------------------------------------------

ACTIONS_FROM = {
    # action: the statuses it is allowed from (others raise InvalidTransition)
    "triage": {"open", "changes_requested", "approved"},
    "assign": {"open", "changes_requested", "approved"},
    "label": {"open", "changes_requested", "approved", "merged", "closed"},
    "request_changes": {"open", "approved"},
    "approve": {"open", "changes_requested", "approved"},
    "close": {"open", "changes_requested", "approved"},
    "comment": {"open", "changes_requested", "approved", "merged", "closed"},
}
RESULT = {"request_changes": ("changes_requested", "requested_changes"), "approve": ("approved", "approved"),
          "close": ("closed", "rejected")}


@pytest.mark.parametrize("action", sorted(ACTIONS_FROM))
def test_transitions(action, people, submission):
    actor = people["maintainer"]
    for status in ("open", "changes_requested", "approved", "merged", "closed"):
        _reset(submission, status)
        if status in ACTIONS_FROM[action]:
            result = _decide(action, submission, actor)
            if action in RESULT:
                submission.refresh_from_db()
                assert (submission.status, submission.triage_state) == RESULT[action], status
            else:
                assert result is not None
        else:
            with pytest.raises(InvalidTransition, match=f"#{submission.pk} is"):
                _decide(action, submission, actor)
            assert Submission.objects.get(pk=submission.pk).status == status


def test_writing_submissions_take_no_decision(people, submission):
    Submission.objects.filter(pk=submission.pk).update(status="writing")
    submission.refresh_from_db()
    for action in ACTIONS_FROM:
        with pytest.raises(InvalidTransition):
            _decide(action, submission, people["admin"])


def test_triage_states_and_their_refusals(people, submission, mailoutbox, django_capture_on_commit_callbacks):
    triager = people["triager"]
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submission_triage(submission=submission, actor=triager, state="follow_up", note="Ask at stand-up.")
    assert submission.triage_state == "follow_up" and submission.status == "open"
    assert [m.to for m in mailoutbox] == [["contributor@example.test"]]
    assert "Ask at stand-up." in mailoutbox[0].body
    with pytest.raises(InvalidTransition, match="already marked follow-up"):
        reviews.submission_triage(submission=submission, actor=triager, state="follow_up")
    with pytest.raises(InvalidInput, match="Unknown triage state"):
        reviews.submission_triage(submission=submission, actor=triager, state="maybe")
    # the decision states go through their own service, with its rules and status change
    with pytest.raises(InvalidInput, match="needs a message"):
        reviews.submission_triage(submission=submission, actor=triager, state="requested_changes")
    reviews.submission_triage(submission=submission, actor=triager, state="approved")
    assert (submission.status, submission.triage_state) == ("approved", "approved")
    event = AuditEvent.objects.filter(verb="submission.triaged").get()
    assert event.data == {"from": "needed", "to": "follow_up", "note": "Ask at stand-up."}


def test_assign_only_to_people_who_can_triage(people, submission, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(InvalidInput, match="cannot triage"):
        reviews.submission_assign(submission=submission, actor=people["triager"], assignee=people["other"])
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submission_assign(submission=submission, actor=people["triager"], assignee=people["triager2"])
    assert submission.assignee == people["triager2"]
    assert [m.to for m in mailoutbox] == [["triager@example.test"]] and "assigned to you" in mailoutbox[0].subject
    with pytest.raises(InvalidTransition):
        reviews.submission_assign(submission=submission, actor=people["triager"], assignee=people["triager2"])
    reviews.submission_assign(submission=submission, actor=people["triager2"], assignee=None)
    assert Submission.objects.get(pk=submission.pk).assignee_id is None


def test_labels_come_from_the_list(people, submission):
    triager = people["triager"]
    with pytest.raises(InvalidInput, match="Unknown label"):
        reviews.submission_label(submission=submission, actor=triager, add=["urgent"])
    reviews.submission_label(submission=submission, actor=triager, add=["legal-hold", "question"])
    assert Submission.objects.get(pk=submission.pk).labels == ["legal-hold", "question"]
    with pytest.raises(InvalidTransition):
        reviews.submission_label(submission=submission, actor=triager, add=["question"])
    reviews.submission_label(submission=submission, actor=triager, remove=["question"])
    assert submission.labels == ["legal-hold"]
    assert AuditEvent.objects.filter(verb="submission.labelled").first().data == {"added": [], "removed": ["question"]}


def test_request_changes_then_revision_goes_back_to_review(people, submit, revise, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    author, triager = people["author"], people["triager"]
    draft, submission = submit(author)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submission_request_changes(submission=submission, actor=triager, message="Add a sixth example.")
    assert (submission.status, submission.triage_state) == ("changes_requested", "requested_changes")
    comment = Comment.objects.get()
    assert (comment.body, comment.author, comment.revision.number) == ("Add a sixth example.", triager, 1)
    assert [m.to for m in mailoutbox] == [["contributor@example.test"]]
    assert "needs changes" in mailoutbox[0].subject and "Add a sixth example." in mailoutbox[0].body
    assert Notification.objects.filter(recipient=author, kind="changes_requested",
                                       url=f"/reviews/{submission.pk}/").count() == 1  # in-app too
    with pytest.raises(InvalidTransition):  # waiting for the contributor already
        reviews.submission_request_changes(submission=submission, actor=triager, message="And another.")

    revised = revise(draft, author)
    assert revised.status == "open" and revised.revisions.count() == 2
    reviews.submission_approve(submission=revised, actor=triager)
    assert Approval.objects.get().revision.number == 2


def test_approve_records_the_latest_revision_and_tells_maintainers(people, submission, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reviews.submission_approve(submission=submission, actor=people["triager"])
    assert len(callbacks) == 2
    approval = Approval.objects.get()
    assert (approval.approver, approval.revision.commit_sha) == (people["triager"], submission.head_commit)
    recipients = sorted(address for m in mailoutbox for address in m.to)
    # the author, then everyone who can merge (the two maintainers share an address in these fixtures)
    assert recipients == ["admin@example.test", "contributor@example.test", "maintainer@example.test"]
    with pytest.raises(InvalidTransition, match="already approved revision 1"):
        reviews.submission_approve(submission=submission, actor=people["triager"])
    reviews.submission_approve(submission=submission, actor=people["triager2"])
    assert Approval.objects.count() == 2


def test_a_stale_approval_does_not_allow_a_merge(people, submit, revise):
    author, triager = people["author"], people["triager"]
    draft, submission = submit(author)
    reviews.submission_approve(submission=submission, actor=triager)
    reviews.submission_request_changes(submission=submission, actor=people["triager2"], message="One more fix.")
    revise(draft, author)
    # even with the status forced to approved, revision 1's approval does not cover revision 2
    Submission.objects.filter(pk=submission.pk).update(status="approved")
    with pytest.raises(MergeBlocked) as excinfo:
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    assert excinfo.value.reasons == ["Nobody has approved its latest revision (2); earlier approvals do not cover it."]
    assert Submission.objects.get(pk=submission.pk).status == "approved"


def test_merge_needs_approved_status(people, submission):
    with pytest.raises(MergeBlocked) as excinfo:
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    assert excinfo.value.reasons[0] == "It is open, not approved."


def test_close_and_reopen(people, submit, mailoutbox, django_capture_on_commit_callbacks):
    author, triager = people["author"], people["triager"]
    submission = submit(author)[1]
    with pytest.raises(InvalidInput, match="needs a message"):
        reviews.submission_close(submission=submission, actor=triager, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        reviews.submission_close(submission=submission, actor=triager, reason="Jokes are not accepted.")
    assert (submission.status, submission.triage_state) == ("closed", "rejected")
    assert "Jokes are not accepted." in mailoutbox[0].body
    with pytest.raises(NotAllowed, match="ask one to reopen"):
        reviews.submission_reopen(submission=submission, actor=author)
    with pytest.raises(NotAllowed):
        reviews.submission_reopen(submission=submission, actor=people["other"])
    reviews.submission_reopen(submission=submission, actor=triager)
    assert (submission.status, submission.triage_state) == ("open", "needed")
    with pytest.raises(InvalidTransition):
        reviews.submission_reopen(submission=submission, actor=triager)

    reviews.submission_close(submission=submission, actor=author, reason="")  # withdrawn by the author
    assert AuditEvent.objects.filter(verb="submission.withdrawn").exists()
    reviews.submission_reopen(submission=submission, actor=author)
    assert Submission.objects.get(pk=submission.pk).status == "open"
