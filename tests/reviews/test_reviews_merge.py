"""Merging approved submissions into main on a real repository: fast-forward, merge commit, conflicts, races."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from labweb.models import AuditEvent
from taxonomy_app import reviews
from taxonomy_app.git import Author
from taxonomy_app.models import Revision, Submission, TaxonomyNode
from taxonomy_app.reviews import InvalidTransition, MergeBlocked, MergeConflict, ReviewError

from review_support import PARENT


def _approved(submit, people, leaf_name):
    submission = submit(people["author"], leaf_name=leaf_name)[1]
    return reviews.submission_approve(submission=submission, actor=people["triager"])


def test_fast_forward_merge(people, submit, sample_taxonomy, settings, mailoutbox,
                            django_capture_on_commit_callbacks):
    submission = _approved(submit, people, "plain_english")
    main_before = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    with django_capture_on_commit_callbacks(execute=True):
        merged = reviews.submission_merge(submission=submission, actor=people["maintainer"])

    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    assert main == submission.head_commit and sample_taxonomy.is_ancestor(main_before, main)
    assert (merged.status, merged.merged_commit) == ("merged", main) and merged.merged_at is not None
    assert submission.status == "merged"  # the caller's instance follows
    log = sample_taxonomy.log(settings.TAXONOMY_MAIN_BRANCH, max_count=5)
    assert (log[0].sha, log[0].author_name, log[0].author_email) == (
        submission.head_commit, "Casey Contributor", "contributor@example.test")
    leaf = TaxonomyNode.objects.get(path=f"{PARENT}/plain_english")
    assert leaf.is_leaf and leaf.seed_count == 5 and leaf.indexed_commit == main
    event = AuditEvent.objects.get(verb="submission.merged")
    assert event.data["how"] == "fast-forward" and event.data["previous_main"] == main_before
    assert [m.to for m in mailoutbox] == [["contributor@example.test"]] and "was merged" in mailoutbox[0].subject
    with pytest.raises(InvalidTransition, match="already merged"):
        reviews.submission_merge(submission=submission, actor=people["admin"])


def test_merge_commit_when_main_moved_on_elsewhere(people, submit, sample_taxonomy, settings):
    first = _approved(submit, people, "alpha_words")
    second = _approved(submit, people, "beta_words")
    reviews.submission_merge(submission=first, actor=people["maintainer"])
    main_before = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    merged = reviews.submission_merge(submission=second, actor=people["maintainer2"])

    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    info = sample_taxonomy.commit_info(main)
    assert info.parents == (main_before, second.head_commit) and merged.merged_commit == main
    assert info.message.startswith(f"Merge submission #{second.pk}: Plain English rewrites beta_words")
    assert info.author_name == "maintainer-2"
    changed = sorted(c.path for c in sample_taxonomy.changed_files(main_before, main))
    assert changed == [f"{PARENT}/beta_words/attribution.txt", f"{PARENT}/beta_words/qna.yaml"]
    for leaf in ("alpha_words", "beta_words"):
        assert sample_taxonomy.read_blob(main, f"{PARENT}/{leaf}/qna.yaml") == sample_taxonomy.read_blob(
            Submission.objects.get(taxonomy_path=f"{PARENT}/{leaf}").head_commit, f"{PARENT}/{leaf}/qna.yaml")
        assert TaxonomyNode.objects.filter(path=f"{PARENT}/{leaf}", kind="leaf").exists()
    assert AuditEvent.objects.filter(verb="submission.merged").first().data["how"] == "merge"
    authors = {c.author_name for c in sample_taxonomy.log(settings.TAXONOMY_MAIN_BRANCH, max_count=5)}
    assert "Casey Contributor" in authors


def test_fast_forward_only_refuses_when_main_moved(people, submit, sample_taxonomy, settings):
    settings.LABWEB_MERGE_STRATEGY = "fast-forward-only"
    first, second = _approved(submit, people, "alpha_words"), _approved(submit, people, "beta_words")
    reviews.submission_merge(submission=first, actor=people["maintainer"])
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    with pytest.raises(MergeBlocked, match="fast-forward only"):
        reviews.submission_merge(submission=second, actor=people["maintainer"])
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main
    assert Submission.objects.get(pk=second.pk).status == "approved"


def test_two_submissions_on_one_leaf_conflict(people, submit, sample_taxonomy, settings):
    first = _approved(submit, people, "plain_english")
    second = reviews.submission_approve(
        submission=submit(people["other"], leaf_name="plain_english", tag=" (other)")[1], actor=people["triager"])
    reviews.submission_merge(submission=first, actor=people["maintainer"])
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    with pytest.raises(MergeConflict) as excinfo:
        reviews.submission_merge(submission=second, actor=people["maintainer"])

    leaf = f"{PARENT}/plain_english"
    assert excinfo.value.paths == [f"{leaf}/attribution.txt", f"{leaf}/qna.yaml"]
    assert f"{leaf}/qna.yaml" in excinfo.value.message and "Nothing was merged" in excinfo.value.message
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main
    assert Submission.objects.get(pk=second.pk).status == "approved"
    assert AuditEvent.objects.filter(verb="submission.merged").count() == 1


def test_failed_checks_and_legal_hold_block_the_merge(people, submit, sample_taxonomy, settings):
    submission = _approved(submit, people, "plain_english")
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    reviews.submission_label(submission=submission, actor=people["triager"], add=["legal-hold"])
    with pytest.raises(MergeBlocked, match="labelled legal-hold"):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    reviews.submission_label(submission=submission, actor=people["triager"], remove=["legal-hold"])

    Revision.objects.filter(submission=submission).update(validation={"mode": "strict", "errors": [{"m": "x"}]})
    with pytest.raises(MergeBlocked, match="checks of revision 1 found errors"):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    Revision.objects.filter(submission=submission).update(validation={"mode": "strict", "errors": []})

    # what the branch holds is checked again, whatever was recorded when it was submitted
    broken = sample_taxonomy.commit_files(
        ref=submission.branch, changes={f"{PARENT}/plain_english/qna.yaml": b"version: 3\ncreated_by: x\n"},
        message="Broken", author=Author("Someone", "someone@example.test"), expected_old=submission.head_commit)
    Submission.objects.filter(pk=submission.pk).update(head_commit=broken)
    Revision.objects.filter(submission=submission).update(commit_sha=broken)
    with pytest.raises(MergeBlocked, match="taxonomy checks fail on the branch"):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main


def test_a_branch_ahead_of_its_latest_revision_blocks(people, submit, sample_taxonomy):
    submission = _approved(submit, people, "plain_english")
    sample_taxonomy.commit_files(ref=submission.branch, changes={"README.extra": b"x\n"}, message="Sneaky",
                                 author=Author("Someone", "someone@example.test"))
    with pytest.raises(MergeBlocked, match="not at the latest revision"):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])


def test_main_moving_during_the_merge_is_refused_cleanly(people, submit, sample_taxonomy, settings, commit_main,
                                                         leaf_files, monkeypatch):
    submission = _approved(submit, people, "plain_english")
    real = reviews._new_main
    moved = {}

    def racing(repo, *args):
        result = real(repo, *args)
        moved["main"] = commit_main(repo, leaf_files("compositional_skills/linguistics/racer"), "Someone else")
        return result

    monkeypatch.setattr(reviews, "_new_main", racing)
    with pytest.raises(ReviewError, match="main moved while this merge was being prepared"):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == moved["main"]
    assert Submission.objects.get(pk=submission.pk).status == "approved"


def test_main_is_put_back_when_the_database_write_fails(people, submit, sample_taxonomy, settings, monkeypatch):
    submission = _approved(submit, people, "plain_english")
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    def failing(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(reviews, "audit_record", failing)
    with pytest.raises(RuntimeError):
        reviews.submission_merge(submission=submission, actor=people["maintainer"])
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main
    assert Submission.objects.get(pk=submission.pk).status == "approved"


# --- two maintainers at the same moment (PostgreSQL: every thread has its own connection) ---------------

def _merge_concurrently(pairs):
    barrier = threading.Barrier(len(pairs))
    outcomes = [None] * len(pairs)

    def work(index, submission, actor):
        try:
            barrier.wait(timeout=10)
            reviews.submission_merge(submission=submission, actor=actor)
            outcomes[index] = "merged"
        except ReviewError as exc:
            outcomes[index] = f"{type(exc).__name__}: {exc.message}"
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, s, a)) for i, (s, a) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("threads share one in-memory SQLite database; the race is tested on PostgreSQL")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_leaf", [False, True], ids=["different-leaves", "same-leaf"])
def test_two_maintainers_merge_at_the_same_moment(on_postgres, same_leaf, people, submit, sample_taxonomy,
                                                  settings):
    first = _approved(submit, people, "plain_english")
    second = reviews.submission_approve(submission=submit(
        people["other"], leaf_name="plain_english" if same_leaf else "other_words", tag=" (other)")[1],
        actor=people["triager"])
    main_before = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    outcomes = _merge_concurrently([(first, people["maintainer"]), (second, people["maintainer2"])])

    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    assert sample_taxonomy.is_ancestor(main_before, main)
    statuses = dict(Submission.objects.values_list("pk", "status"))
    if same_leaf:
        assert sorted(outcomes)[1] == "merged" and sorted(outcomes)[0].startswith("MergeConflict: main changed")
        winner = first if outcomes[0] == "merged" else second
        assert main == winner.head_commit
        assert sorted(statuses.values()) == ["approved", "merged"]
    else:
        assert outcomes == ["merged", "merged"]
        assert statuses == {first.pk: "merged", second.pk: "merged"}
        for submission in (first, second):
            assert sample_taxonomy.is_ancestor(submission.head_commit, main)
        assert TaxonomyNode.objects.filter(path__in=[f"{PARENT}/plain_english", f"{PARENT}/other_words"]).count() == 2
    merged = Submission.objects.filter(status="merged").order_by("merged_at")
    assert merged.last().merged_commit == main
    assert len(sample_taxonomy.changed_files(main_before, main)) == (2 if same_leaf else 4)
