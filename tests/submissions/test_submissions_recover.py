"""Crash safety: a submit that dies between its steps is finished or undone by submissions_recover."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from submissions_helpers import PARENT, skill_data

from labweb.models import AuditEvent
from taxonomy_app import contributions
from taxonomy_app.contributions import ContributionInvalid, contribution_submit, contribution_update
from taxonomy_app.git import Author, GitError, RefConflict, TaxonomyRepository
from taxonomy_app.models import Contribution, Revision, Submission

LEAF = f"{PARENT}/plain_english"
LATER = timedelta(hours=1)


class ProcessKilled(BaseException):
    """Stands for a process dying at that point (kill -9, OOM, a worker's hard time limit): no cleanup runs."""


def _die_after(monkeypatch, name: str):
    real = getattr(contributions, name)

    def step_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise ProcessKilled(name)

    monkeypatch.setattr(contributions, name, step_then_die)


def _writing_rows():
    return list(Submission.objects.filter(status=Submission.Status.WRITING))


def test_killed_after_the_reservation_leaves_a_row_that_recovery_removes(
        contributor, ready_draft, sample_taxonomy, settings, monkeypatch, nothing_written):
    draft = ready_draft(contributor)
    _die_after(monkeypatch, "_reserve")
    with pytest.raises(ProcessKilled):
        contribution_submit(contribution=draft, actor=contributor)
    monkeypatch.undo()
    [row] = _writing_rows()
    assert sample_taxonomy.branches("contrib/") == {}

    assert contributions.submissions_recover()["removed"] == []  # too recent: it may still be being written
    assert _writing_rows() == [row]
    report = contributions.submissions_recover(now=timezone.now() + LATER)

    assert report["removed"] == [row.pk] and report["finished"] == []
    nothing_written()
    draft.refresh_from_db()
    assert (draft.status, draft.submission_id) == ("draft", None)
    submission = contribution_submit(contribution=draft, actor=contributor)  # the draft can be submitted again
    assert submission.status == "open" and submission.pk != row.pk


def test_killed_after_the_git_write_leaves_a_row_that_recovery_finishes(
        contributor, ready_draft, sample_taxonomy, settings, monkeypatch):
    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    draft = ready_draft(contributor)
    monkeypatch.setattr(contributions, "_finish_first_revision",
                        lambda *a, **k: (_ for _ in ()).throw(ProcessKilled("finish")))
    with pytest.raises(ProcessKilled):
        contribution_submit(contribution=draft, actor=contributor)
    monkeypatch.undo()
    [row] = _writing_rows()
    head = sample_taxonomy.resolve(row.branch)
    assert head is not None and Revision.objects.count() == 0

    assert contributions.submissions_recover()["finished"] == []
    report = contributions.submissions_recover(now=timezone.now() + LATER)

    assert report["finished"] == [row.pk] and report["removed"] == [] and report["orphan_branches"] == []
    row.refresh_from_db()
    assert (row.status, row.head_commit, row.base_commit) == ("open", head, main_head)
    revision = Revision.objects.get(submission=row)
    assert (revision.number, revision.commit_sha, revision.created_by) == (1, head, contributor)
    assert revision.qna_yaml == sample_taxonomy.read_blob(head, f"{LEAF}/qna.yaml").decode()
    assert revision.attribution == sample_taxonomy.read_blob(head, f"{LEAF}/attribution.txt").decode()
    draft.refresh_from_db()
    assert (draft.status, draft.submission_id) == ("submitted", row.pk)
    assert AuditEvent.objects.get(verb="submission.submitted").data["recovered"] is True
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main_head
    assert contributions.submissions_recover(now=timezone.now() + LATER)["finished"] == []  # idempotent


@pytest.mark.parametrize("failure", [GitError("git hash-object failed"), OSError("disk full")],
                         ids=["GitError", "OSError"])
def test_a_failed_git_write_removes_the_reservation_at_once(
        failure, contributor, ready_draft, monkeypatch, nothing_written):
    draft = ready_draft(contributor)

    def fail(self, **kwargs):
        raise failure

    monkeypatch.setattr(TaxonomyRepository, "commit_files", fail)
    with pytest.raises(type(failure)):
        contribution_submit(contribution=draft, actor=contributor)
    nothing_written()
    draft.refresh_from_db()
    assert (draft.status, draft.submission_id) == ("draft", None)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interruption_during_the_git_write_also_removes_the_reservation(
        interruption, contributor, ready_draft, monkeypatch, nothing_written):
    draft = ready_draft(contributor)

    def interrupted(self, **kwargs):
        raise interruption()

    monkeypatch.setattr(TaxonomyRepository, "commit_files", interrupted)
    with pytest.raises(interruption):
        contribution_submit(contribution=draft, actor=contributor)
    nothing_written()
    draft.refresh_from_db()
    assert draft.submission_id is None


def test_an_interruption_after_the_ref_was_written_leaves_the_row_for_recovery(
        contributor, ready_draft, sample_taxonomy, monkeypatch):
    draft = ready_draft(contributor)
    real = TaxonomyRepository.commit_files

    def written_then_interrupted(self, **kwargs):
        real(self, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(TaxonomyRepository, "commit_files", written_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        contribution_submit(contribution=draft, actor=contributor)
    monkeypatch.undo()
    [row] = _writing_rows()
    assert contributions.submissions_recover(now=timezone.now() + LATER)["finished"] == [row.pk]
    row.refresh_from_db()
    assert row.status == "open" and row.head_commit == sample_taxonomy.resolve(row.branch)


def test_a_branch_name_taken_by_a_stray_ref_refuses_and_reports_the_stray(
        contributor, ready_draft, sample_taxonomy, settings, monkeypatch, commit_main):
    draft = ready_draft(contributor)
    real = TaxonomyRepository.commit_files
    taken = []

    def someone_was_first(self, **kwargs):
        self.create_branch(kwargs["ref"], self.resolve(settings.TAXONOMY_MAIN_BRANCH))
        taken.append(kwargs["ref"])
        return real(self, **kwargs)

    monkeypatch.setattr(TaxonomyRepository, "commit_files", someone_was_first)
    with pytest.raises(RefConflict):
        contribution_submit(contribution=draft, actor=contributor)
    monkeypatch.undo()
    assert not Submission.objects.exists()
    assert contributions.submissions_recover(now=timezone.now() + LATER)["orphan_branches"] == taken
    assert sample_taxonomy.branches("contrib/").keys() == set(taken)  # reported, never deleted


def test_recovery_removing_a_slow_submit_makes_that_submit_undo_its_branch(
        contributor, ready_draft, sample_taxonomy, monkeypatch, nothing_written):
    draft = ready_draft(contributor)
    real = TaxonomyRepository.commit_files

    def recovery_runs_first(self, **kwargs):
        assert contributions.submissions_recover(now=timezone.now() + LATER)["removed"]
        return real(self, **kwargs)

    monkeypatch.setattr(TaxonomyRepository, "commit_files", recovery_runs_first)
    with pytest.raises(ContributionInvalid) as excinfo:
        contribution_submit(contribution=draft, actor=contributor)
    assert [i.rule for i in excinfo.value.issues] == ["C9-git"]
    nothing_written()


def test_orphan_and_missing_branches_are_reported_and_left_alone(
        contributor, ready_draft, sample_taxonomy, settings):
    submission = contribution_submit(contribution=ready_draft(contributor), actor=contributor)
    main_head = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    sample_taxonomy.create_branch("contrib/999-ghost", main_head)
    sample_taxonomy.create_branch("feature/not-ours", main_head)

    report = contributions.submissions_recover(now=timezone.now() + LATER)
    assert report["orphan_branches"] == ["contrib/999-ghost"]
    assert report["missing_branches"] == []
    assert set(sample_taxonomy.branches()) == {"main", "contrib/999-ghost", "feature/not-ours",
                                               submission.branch}

    sample_taxonomy.delete_branch(submission.branch)
    report = contributions.submissions_recover(now=timezone.now() + LATER)
    assert report["missing_branches"] == [{"submission": submission.pk, "branch": submission.branch}]
    submission.refresh_from_db()
    assert submission.status == "open"


def test_a_revision_killed_after_its_commit_is_recorded_by_recovery(
        contributor, ready_draft, sample_taxonomy, monkeypatch):
    draft = ready_draft(contributor)
    submission = contribution_submit(contribution=draft, actor=contributor)
    first = submission.head_commit
    contribution_update(contribution=draft, actor=contributor, data=skill_data(tag=" (revised)"))
    monkeypatch.setattr(contributions, "_record_revision",
                        lambda *a, **k: (_ for _ in ()).throw(ProcessKilled("revision")))
    with pytest.raises(ProcessKilled):
        contribution_submit(contribution=draft, actor=contributor)
    monkeypatch.undo()
    head = sample_taxonomy.resolve(submission.branch)
    submission.refresh_from_db()
    assert submission.head_commit == first and head != first and Revision.objects.count() == 1

    assert contributions.submissions_recover()["revised"] == []  # the commit is too recent to judge
    assert contributions.submissions_recover(now=timezone.now() + LATER)["revised"] == [submission.pk]
    submission.refresh_from_db()
    assert submission.head_commit == head
    assert list(submission.revisions.values_list("number", "commit_sha")) == [(1, first), (2, head)]

    contribution_update(contribution=draft, actor=contributor, data=skill_data(tag=" (third)"))
    third = contribution_submit(contribution=draft, actor=contributor)  # revising works again
    assert sample_taxonomy.commit_info(third.head_commit).parents == (head,)


def test_a_branch_rewritten_outside_labweb_is_reported_as_failed(contributor, ready_draft, sample_taxonomy,
                                                                  settings):
    submission = contribution_submit(contribution=ready_draft(contributor), actor=contributor)
    sample_taxonomy.commit_files(ref=submission.branch, changes={"x.txt": b"x"}, message="Outside",
                                 author=Author("Git User", "git@example.test"),
                                 parent=sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH))
    report = contributions.submissions_recover(now=timezone.now() + LATER)
    assert [item["submission"] for item in report["failed"]] == [submission.pk]
    assert Revision.objects.count() == 1


# --- the operator command and the periodic task --------------------------------------------------------


def _interrupted_pair(contributor, ready_draft, monkeypatch):
    """One submission killed before its git write and one after, both an hour old."""
    _die_after(monkeypatch, "_reserve")
    with pytest.raises(ProcessKilled):
        contribution_submit(contribution=ready_draft(contributor, leaf_name="never_written"), actor=contributor)
    monkeypatch.undo()
    monkeypatch.setattr(contributions, "_finish_first_revision",
                        lambda *a, **k: (_ for _ in ()).throw(ProcessKilled("finish")))
    with pytest.raises(ProcessKilled):
        contribution_submit(contribution=ready_draft(contributor, leaf_name="written"), actor=contributor)
    monkeypatch.undo()
    Submission.objects.update(created_at=timezone.now() - LATER)
    removed = Submission.objects.get(taxonomy_path=f"{PARENT}/never_written")
    finished = Submission.objects.get(taxonomy_path=f"{PARENT}/written")
    return removed, finished


def test_recover_command_repairs_and_prints_what_it_did(contributor, ready_draft, sample_taxonomy, monkeypatch):
    removed, finished = _interrupted_pair(contributor, ready_draft, monkeypatch)
    sample_taxonomy.create_branch("contrib/999-ghost", sample_taxonomy.resolve("main"))
    out, err = StringIO(), StringIO()

    call_command("submissions", "recover", stdout=out, stderr=err)

    assert f"Finished 1 interrupted submission(s) from their branch: #{finished.pk}" in out.getvalue()
    assert f"Removed 1 reservation(s) whose branch was never written: #{removed.pk}" in out.getvalue()
    assert "contrib/999-ghost" in err.getvalue()
    assert list(Submission.objects.values_list("pk", "status")) == [(finished.pk, "open")]

    out = StringIO()
    sample_taxonomy.delete_branch("contrib/999-ghost")
    call_command("submissions", "recover", stdout=out, stderr=StringIO())
    assert "Nothing to recover" in out.getvalue()


def test_recover_task_runs_eagerly(contributor, ready_draft, sample_taxonomy, monkeypatch, eager_celery):
    from taxonomy_app.tasks import submissions_recover

    removed, finished = _interrupted_pair(contributor, ready_draft, monkeypatch)
    result = submissions_recover.delay().get()
    assert (result["finished"], result["removed"], result["orphan_branches"]) == ([finished.pk], [removed.pk], [])
    assert Contribution.objects.filter(submission=finished, status="submitted").exists()


def test_recover_task_is_scheduled_periodically(settings):
    from labweb.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["taxonomy_app.tasks.submissions_recover"] <= 600
    assert "taxonomy_app.tasks.submissions_recover" in app.tasks


def test_a_reservation_without_a_branch_name_is_removed(contributor, sample_taxonomy):
    row = Submission.objects.create(title="t", author=contributor, kind="freeform_skill", taxonomy_path=LEAF)
    Submission.objects.filter(pk=row.pk).update(created_at=timezone.now() - LATER)
    assert contributions.submissions_recover()["removed"] == [row.pk]
    assert not Submission.objects.exists()


def test_submitting_inside_a_transaction_is_refused_before_anything_is_written(
        contributor, ready_draft, nothing_written):
    from django.db import transaction

    draft = ready_draft(contributor)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        contribution_submit(contribution=draft, actor=contributor)
    nothing_written()
