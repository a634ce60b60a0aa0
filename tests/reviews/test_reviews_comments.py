"""Comments (anchored, threaded, resolved), canned responses, the queue and the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labweb.markdown import render_markdown
from taxonomy_app import reviews
from taxonomy_app.models import CannedResponse, Comment, Submission
from taxonomy_app.review_selectors import review_counts, review_queue, submission_timeline
from taxonomy_app.reviews import InvalidInput, InvalidTransition, NotAllowed


def test_anchored_comments_and_threads(people, submission, mailoutbox, django_capture_on_commit_callbacks):
    triager, author = people["triager"], people["author"]
    with django_capture_on_commit_callbacks(execute=True):
        first = reviews.comment_add(submission=submission, actor=triager, body="Seed two reads **oddly**.",
                                    anchor="seed-2")
    assert (first.revision.number, first.anchor) == (1, "seed-2")
    assert [m.to for m in mailoutbox] == [["contributor@example.test"]] and "on seed 2" in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        reply = reviews.comment_add(submission=submission, actor=author, body="Fixed, thanks.", parent=first)
    assert (reply.parent, reply.anchor, reply.revision) == (first, "seed-2", first.revision)
    assert mailoutbox[-1].to == ["triager@example.test"]  # the reviewer in the conversation hears the answer
    nested = reviews.comment_add(submission=submission, actor=triager, body="Good.", parent=reply)
    assert nested.parent == first  # threads stay one level deep
    pair = reviews.comment_add(submission=submission, actor=triager, body="This pair.", anchor="seed-1-pair-1")
    assert pair.anchor == "seed-1-pair-1"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"body": "   "}, "Write something"),
    ({"body": "x" * 20_001}, "too long"),
    ({"body": "x", "anchor": "seed-9"}, "there is no seed 9"),
    ({"body": "x", "anchor": "seed-1-pair-2"}, "there is no pair 2"),
    ({"body": "x", "anchor": "line-4"}, "Unknown place"),
])
def test_bad_comments_are_refused(kwargs, message, people, submission):
    with pytest.raises(InvalidInput, match=message):
        reviews.comment_add(submission=submission, actor=people["triager"], **kwargs)
    assert not Comment.objects.exists()


def test_comments_on_other_submissions_parts_are_refused(people, submission, submit):
    other = submit(people["other"], leaf_name="other_words")[1]
    foreign = reviews.comment_add(submission=other, actor=people["triager"], body="Elsewhere.")
    with pytest.raises(InvalidInput, match="another submission"):
        reviews.comment_add(submission=submission, actor=people["triager"], body="x", parent=foreign)
    with pytest.raises(InvalidInput, match="another submission"):
        reviews.comment_add(submission=submission, actor=people["triager"], body="x",
                            revision=other.revisions.get())
    with pytest.raises(NotAllowed):  # a contributor cannot comment on someone else's submission
        reviews.comment_add(submission=submission, actor=people["other"], body="Me too!")


def test_comment_markdown_is_rendered_safely(people, submission):
    comment = reviews.comment_add(submission=submission, actor=people["author"],
                                  body="Hi <script>alert(1)</script> [x](javascript:alert(1)) **bold**")
    html = render_markdown(comment.body)
    assert "<script>" not in html and "javascript:" not in html and "<strong>bold</strong>" in html


def test_resolving_a_thread(people, submission):
    comment = reviews.comment_add(submission=submission, actor=people["triager"], body="Please fix.")
    reply = reviews.comment_add(submission=submission, actor=people["author"], body="Done.", parent=comment)
    for who in ("other",):
        with pytest.raises(NotAllowed):
            reviews.comment_resolve(comment=comment, actor=people[who], resolved=True)
    with pytest.raises(NotAllowed):
        reviews.comment_resolve(comment=comment, actor=AnonymousUser(), resolved=True)
    with pytest.raises(InvalidTransition, match="resolve the first comment"):
        reviews.comment_resolve(comment=reply, actor=people["author"], resolved=True)
    reviews.comment_resolve(comment=comment, actor=people["author"], resolved=True)
    comment.refresh_from_db()
    assert comment.resolved and comment.resolved_by == people["author"] and comment.resolved_at
    with pytest.raises(InvalidTransition, match="already resolved"):
        reviews.comment_resolve(comment=comment, actor=people["triager"], resolved=True)
    reviews.comment_resolve(comment=comment, actor=people["triager"], resolved=False)
    comment.refresh_from_db()
    assert not comment.resolved and comment.resolved_by is None


def test_canned_responses_are_prefilled(canned_responses):
    # The fixture runs the data migration's own function: transactional tests elsewhere flush its rows.
    titles = set(CannedResponse.objects.filter(active=True).values_list("title", flat=True))
    assert {"Too few examples", "Knowledge filed as a skill", "Jokes and poems are not accepted",
            "Maths topics are not accepted", "Coding topics are not accepted",
            "Missing or insufficient attribution"} <= titles


def test_timeline_merges_events_comments_and_revisions(people, submit, revise):
    draft, submission = submit(people["author"])
    reviews.submission_request_changes(submission=submission, actor=people["triager"], message="Add one.")
    revise(draft, people["author"])
    reviews.comment_add(submission=submission, actor=people["author"], body="Added.")
    reviews.submission_approve(submission=submission, actor=people["triager"])
    items = submission_timeline(submission)
    described = [(i.kind, getattr(i.item, "verb", None) or getattr(i.item, "number", None) or i.item.body)
                 for i in items]
    assert described == [("revision", 1), ("event", "submission.submitted"), ("comment", "Add one."),
                         ("event", "submission.changes_requested"), ("revision", 2), ("comment", "Added."),
                         ("event", "submission.approved")]
    assert [i.at for i in items] == sorted(i.at for i in items)


def test_review_queue_filters_sorts_and_counts(people, submit, django_assert_max_num_queries):
    triager = people["triager"]
    a = submit(people["author"], leaf_name="alpha_words")[1]
    b = submit(people["other"], leaf_name="beta_words")[1]
    c = submit(people["author"], leaf_name="gamma_words")[1]
    reviews.submission_assign(submission=a, actor=triager, assignee=triager)
    reviews.submission_approve(submission=b, actor=triager)
    reviews.submission_triage(submission=c, actor=triager, state="uncertain")
    Submission.objects.filter(pk=c.pk).update(created_at=timezone.now() - timedelta(days=10))

    def pks(**filters):
        return [s.pk for s in review_queue(actor=triager, **filters)]

    assert pks() == [b.pk, a.pk, c.pk]
    assert pks(sort="created_at") == [c.pk, a.pk, b.pk]
    assert pks(status="approved") == [b.pk] and pks(status=["open", "approved"]) == [b.pk, a.pk, c.pk]
    assert pks(triage_state="uncertain") == [c.pk]
    assert pks(assignee="me") == [a.pk] and pks(assignee="none") == [b.pk, c.pk]
    assert pks(assignee=triager.pk) == [a.pk]
    assert pks(older_than_days=7) == [c.pk]
    assert pks(path_prefix="compositional_skills/linguistics/") == [b.pk, a.pk, c.pk]
    assert pks(path_prefix="compositional_skills/ling") == []
    assert pks(kind="knowledge") == []
    for bad in ({"status": "lost"}, {"sort": "author"}, {"assignee": "someone"}):
        with pytest.raises(ValueError):
            pks(**bad)
    with pytest.raises(NotAllowed):
        review_queue(actor=people["author"])
    with django_assert_max_num_queries(1):  # a page: one query, whatever its length (no N+1)
        rows = [(s.author.username, s.assignee.username if s.assignee else None, s.title)
                for s in review_queue(actor=triager)[:50]]
    assert len(rows) == 3
    with CaptureQueriesContext(connection) as queries:
        counts = review_counts()
    assert len(queries) == 1
    assert counts["status"]["open"] == 2 and counts["status"]["approved"] == 1
    assert counts["triage_state"] == {"needed": 1, "approved": 1, "requested_changes": 0, "rejected": 0,
                                      "uncertain": 1, "follow_up": 0}
    assert counts["total"] == {"all": 3}
