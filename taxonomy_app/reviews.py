"""Services for reviewing submissions: triage, assignment, labels, comments, decisions and the merge into main.

Every decision is one function here; views, the API and tasks only call them. Each one checks the actor's
permission and the submission's current state (under a row lock, so two people deciding at once cannot both
win on a stale read), writes an audit event and queues its notifications for after the commit.

Status moves (contributions.py owns writing -> open and a revision's changes_requested -> open):

    open | changes_requested | approved --request changes--> changes_requested
    open | changes_requested | approved --approve---------> approved   (an Approval of the latest revision)
    open | changes_requested | approved --close-----------> closed
    closed --reopen--> open
    approved --merge--> merged

Merging needs the status approved, an approval of the latest revision (a new revision makes older approvals
stale), green checks and no conflict with main. See docs/reviewing.md, "Merge".
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime

import yaml
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from labweb.audit import audit_record
from labweb.notifications import KINDS, notify_later, users_with_permission
from labweb.roles import has_perm
from taxonomy_app.contributions import _author as git_author
from taxonomy_app.git import GitError, RefConflict, RepositoryLocked, TaxonomyRepository
from taxonomy_app.git._process import run_git
from taxonomy_app.models import Approval, Comment, Revision, Submission, TriageState
from taxonomy_app.repositories import get_taxonomy_repository
from taxonomy_app.schema import validate_qna
from taxonomy_app.services import index_sync

logger = logging.getLogger(__name__)

Status = Submission.Status
UNDECIDED = (Status.OPEN, Status.CHANGES_REQUESTED, Status.APPROVED)
LABELS = {
    "legal-hold": "Legal hold: not to be merged until cleared",
    "topic-failure": "The topic does not suit the model",
    "precheck-generate-ready": "Ready for the generation precheck",
    "sdg-unsuccessful": "Synthetic data generation did not work",
    "dco-requested": "Sign-off missing",
    "question": "A question for the contributor",
    "help-wanted": "Triagers would welcome help",
}
MERGE_BLOCKING_LABELS = ("legal-hold",)
MERGE_STRATEGIES = ("merge", "fast-forward-only")
COMMENT_MAX = 20_000
NOTE_MAX = 2_000
ANCHOR = re.compile(r"^seed-([1-9][0-9]{0,3})(?:-pair-([1-9][0-9]{0,3}))?$")
_ZERO_ID = "0" * 40


class ReviewError(Exception):
    """A review action was refused; `message` says why, in words a person can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ReviewError, PermissionDenied):
    """The actor may not do this (to this submission)."""


class InvalidTransition(ReviewError):
    """The submission is not in a state where this makes sense."""


class InvalidInput(ReviewError, ValueError):
    """Something the actor typed or chose cannot be accepted."""


class MergeBlocked(ReviewError):
    """The merge cannot happen yet; `reasons` lists everything in the way."""

    def __init__(self, reasons: list[str]):
        super().__init__("This submission cannot be merged: " + " ".join(reasons))
        self.reasons = reasons


class MergeConflict(ReviewError):
    """main changed the submission's files since the branch was written; nothing was merged."""

    def __init__(self, paths: list[str]):
        super().__init__(f"main changed {', '.join(paths)} since this submission was written, so merging it would "
                         "overwrite that change. Nothing was merged; the contributor has to start again from "
                         "the current topic.")
        self.paths = paths


# --------------------------------------------------------------------------------------------------- helpers

def _name(user) -> str:
    return user.get_full_name() or user.username


def _url(submission: Submission) -> str:
    return f"{settings.LABWEB_BASE_URL}/reviews/{submission.pk}/"


def _is_triager(actor) -> bool:
    return actor is not None and has_perm(actor, "triage")


def _require_triager(actor, what: str) -> None:
    if not _is_triager(actor):
        raise NotAllowed(f"Only triagers, maintainers and administrators can {what}.")


def _require_not_own(submission: Submission, actor, what: str) -> None:
    if submission.author_id == actor.pk:
        raise NotAllowed(f"You cannot {what} your own submission; another reviewer has to.")


def _locked(submission: Submission) -> Submission:
    """The row as it is now, locked until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    return Submission.objects.select_for_update().select_related("author").get(pk=submission.pk)


def _require_status(submission: Submission, allowed: Iterable[str], what: str) -> None:
    if submission.status not in allowed:
        raise InvalidTransition(f"Submission #{submission.pk} is {submission.get_status_display().lower()}; "
                                f"it cannot be {what} now.")


def _sync(target: Submission, source: Submission) -> Submission:
    """Copy the saved state onto the caller's instance, so it does not keep a stale status."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    return target


def _latest_revision(submission: Submission) -> Revision | None:
    return submission.revisions.order_by("-number").first()


def _save(submission: Submission, **fields) -> None:
    for field, value in fields.items():
        setattr(submission, field, value)
    submission.save(update_fields=[*fields, "updated_at"])


def _note(note: str, *, required: bool, what: str) -> str:
    note = (note or "").replace("\x00", "").strip()
    if required and not note:
        raise InvalidInput(f"Say why: {what} needs a message for the contributor.")
    if len(note) > COMMENT_MAX:
        raise InvalidInput(f"The message is too long: at most {COMMENT_MAX} characters.")
    return note


def _path(submission: Submission) -> str:
    """The review page: the author and every reviewer can open it, and the discussion is there."""
    return f"/reviews/{submission.pk}/"


def _tell(users, submission: Submission, actor, subject: str, body: str, kind: str = KINDS.GENERAL) -> None:
    notify_later(users=users, subject=f"[LabWeb] #{submission.pk} {subject}", body=f"{body}\n\n{_url(submission)}\n",
                 url=_path(submission), kind=kind, actor=actor)


def _tell_author(submission: Submission, actor, subject: str, body: str, kind: str = KINDS.GENERAL) -> None:
    _tell([submission.author], submission, actor, subject, body, kind)


# ---------------------------------------------------------------------------------------------------- triage

def submission_triage(*, submission: Submission, actor, state: str, note: str = "") -> Submission:
    """Set the triage state. The three that are decisions go through their service (approve, request changes,
    close), so their status change and rules always come with them; `note` is then the message."""
    if state not in TriageState.values:
        raise InvalidInput(f"Unknown triage state {state!r}; choose one of {', '.join(TriageState.values)}.")
    if state == TriageState.APPROVED:
        return submission_approve(submission=submission, actor=actor)
    if state == TriageState.REQUESTED_CHANGES:
        return submission_request_changes(submission=submission, actor=actor, message=note)
    if state == TriageState.REJECTED:
        return submission_close(submission=submission, actor=actor, reason=note)
    _require_triager(actor, "triage submissions")
    note = _note(note, required=False, what="")[:NOTE_MAX]
    with transaction.atomic():
        current = _locked(submission)
        _require_status(current, UNDECIDED, "triaged")
        if current.triage_state == state:
            raise InvalidTransition(f"Submission #{current.pk} is already marked "
                                    f"{TriageState(state).label.lower()}.")
        previous = current.triage_state
        _save(current, triage_state=state)
        audit_record(actor=actor, verb="submission.triaged", target=current,
                     data={"from": previous, "to": state, "note": note})
        if state in (TriageState.UNCERTAIN, TriageState.FOLLOW_UP):
            _tell_author(current, actor, f"needs a closer look ({TriageState(state).label.lower()})",
                         f"{_name(actor)} marked your submission \"{current.title}\" "
                         f"{TriageState(state).label.lower()}. " + (note or "A triager will get back to you."))
    return _sync(submission, current)


def submission_assign(*, submission: Submission, actor, assignee: User | None) -> Submission:
    """Give the submission to a triager (who must be able to triage), or to nobody (assignee=None)."""
    _require_triager(actor, "assign submissions")
    if assignee is not None and (not assignee.is_active or not has_perm(assignee, "triage")):
        raise InvalidInput(f"{_name(assignee)} cannot triage, so the submission cannot be assigned to them.")
    with transaction.atomic():
        current = _locked(submission)
        _require_status(current, UNDECIDED, "assigned")
        if current.assignee_id == (assignee.pk if assignee else None):
            raise InvalidTransition("The submission is already assigned that way.")
        previous = current.assignee_id
        _save(current, assignee=assignee)
        audit_record(actor=actor, verb="submission.assigned", target=current,
                     data={"from": previous, "to": assignee.pk if assignee else None})
        if assignee is not None and assignee.pk != actor.pk:
            _tell([assignee], current, actor, "was assigned to you",
                  f"{_name(actor)} asked you to review \"{current.title}\" ({current.taxonomy_path}).")
    return _sync(submission, current)


def submission_label(*, submission: Submission, actor, add: Iterable[str] = (),
                     remove: Iterable[str] = ()) -> Submission:
    """Add and remove labels from the LABELS list (any state but writing)."""
    _require_triager(actor, "label submissions")
    add, remove = set(add), set(remove)
    unknown = sorted((add | remove) - LABELS.keys())
    if unknown:
        raise InvalidInput(f"Unknown label(s) {', '.join(unknown)}; choose from {', '.join(sorted(LABELS))}.")
    if add & remove:
        raise InvalidInput(f"A label cannot be added and removed at once: {', '.join(sorted(add & remove))}.")
    with transaction.atomic():
        current = _locked(submission)
        if current.status == Status.WRITING:
            raise InvalidTransition("The submission is still being written.")
        labels = sorted((set(current.labels) | add) - remove)
        if labels == sorted(current.labels):
            raise InvalidTransition("The submission already has those labels.")
        added, removed = sorted(set(labels) - set(current.labels)), sorted(set(current.labels) - set(labels))
        _save(current, labels=labels)
        audit_record(actor=actor, verb="submission.labelled", target=current,
                     data={"added": added, "removed": removed})
    return _sync(submission, current)


# ------------------------------------------------------------------------------------------------- decisions

def submission_request_changes(*, submission: Submission, actor, message: str) -> Submission:
    """Ask the contributor for changes; the message is posted as a comment on the latest revision."""
    _require_triager(actor, "request changes")
    message = _note(message, required=True, what="requesting changes")
    with transaction.atomic():
        current = _locked(submission)
        _require_not_own(current, actor, "request changes on")
        _require_status(current, (Status.OPEN, Status.APPROVED), "sent back for changes")
        previous = current.status
        _save(current, status=Status.CHANGES_REQUESTED, triage_state=TriageState.REQUESTED_CHANGES)
        comment = Comment.objects.create(submission=current, revision=_latest_revision(current), author=actor,
                                         body=message)
        audit_record(actor=actor, verb="submission.changes_requested", target=current,
                     data={"from": previous, "comment": comment.pk})
        _tell_author(current, actor, "needs changes",
                     f"{_name(actor)} asked for changes to \"{current.title}\":\n\n{message}\n\n"
                     "Edit your contribution and submit it again; it then goes back to review.",
                     KINDS.CHANGES_REQUESTED)
    return _sync(submission, current)


def submission_approve(*, submission: Submission, actor) -> Submission:
    """Approve the latest revision (a triager who is not the author). A second approver adds theirs."""
    _require_triager(actor, "approve submissions")
    with transaction.atomic():
        current = _locked(submission)
        _require_not_own(current, actor, "approve")
        _require_status(current, UNDECIDED, "approved")
        revision = _latest_revision(current)
        if revision is None or revision.commit_sha != current.head_commit:
            raise InvalidTransition("The latest revision is still being recorded; reload and try again.")
        if Approval.objects.filter(revision=revision, approver=actor).exists():
            raise InvalidTransition(f"You already approved revision {revision.number}.")
        approval = Approval.objects.create(submission=current, revision=revision, approver=actor)
        previous = current.status
        _save(current, status=Status.APPROVED, triage_state=TriageState.APPROVED)
        audit_record(actor=actor, verb="submission.approved", target=current,
                     data={"from": previous, "revision": revision.number, "commit": revision.commit_sha,
                           "approval": approval.pk})
        _tell_author(current, actor, "was approved",
                     f"{_name(actor)} approved \"{current.title}\". A maintainer will merge it into the taxonomy.",
                     KINDS.APPROVED)
        if previous != Status.APPROVED:
            _tell(users_with_permission("merge"), current, actor, f"is ready to merge: {current.title}",
                  f"{_name(actor)} approved revision {revision.number} of \"{current.title}\" "
                  f"({current.taxonomy_path}).")
    return _sync(submission, current)


def submission_close(*, submission: Submission, actor, reason: str) -> Submission:
    """Reject (a triager, on someone else's submission, with a reason) or withdraw (its author)."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("Log in to close a submission.")
    with transaction.atomic():
        current = _locked(submission)
        withdrawing = current.author_id == actor.pk
        if not withdrawing and not _is_triager(actor):
            raise NotAllowed("Only its author or a triager can close a submission.")
        reason = _note(reason, required=not withdrawing, what="closing someone else's submission")
        _require_status(current, UNDECIDED, "closed")
        previous = current.status
        fields = {"status": Status.CLOSED}
        if not withdrawing:
            fields["triage_state"] = TriageState.REJECTED
        _save(current, **fields)
        comment = (Comment.objects.create(submission=current, revision=_latest_revision(current), author=actor,
                                          body=reason) if reason else None)
        audit_record(actor=actor, verb="submission.withdrawn" if withdrawing else "submission.closed",
                     target=current, data={"from": previous, "reason": reason[:NOTE_MAX],
                                           "comment": comment.pk if comment else None})
        if withdrawing:
            if current.assignee_id and current.assignee_id != actor.pk:
                _tell([current.assignee], current, actor, "was withdrawn", f"{_name(actor)} withdrew \"{current.title}\".")
        else:
            _tell_author(current, actor, "was closed",
                         f"{_name(actor)} closed \"{current.title}\":\n\n{reason}", KINDS.CLOSED)
    return _sync(submission, current)


def submission_reopen(*, submission: Submission, actor) -> Submission:
    """Back to open and to triage: a triager for any closed submission, the author for one they withdrew."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("Log in to reopen a submission.")
    with transaction.atomic():
        current = _locked(submission)
        own = current.author_id == actor.pk
        if not _is_triager(actor):
            if not own:
                raise NotAllowed("Only its author or a triager can reopen a submission.")
            if current.triage_state == TriageState.REJECTED:
                raise NotAllowed("A triager closed this submission; ask one to reopen it.")
        _require_status(current, (Status.CLOSED,), "reopened")
        _save(current, status=Status.OPEN, triage_state=TriageState.NEEDED)
        audit_record(actor=actor, verb="submission.reopened", target=current, data={"from": Status.CLOSED})
        _tell_author(current, actor, "was reopened", f"{_name(actor)} reopened \"{current.title}\" for review.")
    return _sync(submission, current)


# -------------------------------------------------------------------------------------------------- comments

def _can_comment(submission: Submission, actor) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active
                and (submission.author_id == actor.pk or _is_triager(actor)))


def _seed_shape(revision: Revision) -> list[int]:
    """How many question/answer pairs each seed example of the revision has (1 for a skill's seed)."""
    try:
        contents = yaml.safe_load(revision.qna_yaml) or {}
        seeds = contents.get("seed_examples") or []
        return [len(seed.get("questions_and_answers") or []) or 1 for seed in seeds if isinstance(seed, dict)]
    except (yaml.YAMLError, AttributeError):
        return []


def _check_anchor(anchor: str, revision: Revision) -> None:
    match = ANCHOR.match(anchor)
    if not match:
        raise InvalidInput(f"Unknown place {anchor!r}: use seed-N or seed-N-pair-M.")
    shape = _seed_shape(revision)
    seed, pair = int(match[1]), int(match[2]) if match[2] else None
    if seed > len(shape):
        raise InvalidInput(f"Revision {revision.number} has {len(shape)} seed examples; there is no seed {seed}.")
    if pair is not None and pair > shape[seed - 1]:
        raise InvalidInput(f"Seed {seed} of revision {revision.number} has {shape[seed - 1]} question/answer "
                           f"pair(s); there is no pair {pair}.")


def comment_add(*, submission: Submission, actor, body: str, revision: Revision | None = None, anchor: str = "",
                parent: Comment | None = None) -> Comment:
    """Comment (or reply) as the submission's author or a triager. An anchor without a revision means the
    latest revision; a reply takes its thread's revision and anchor."""
    if not _can_comment(submission, actor):
        raise NotAllowed("Only the author of a submission and reviewers can comment on it.")
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise InvalidInput("Write something before posting the comment.")
    if len(body) > COMMENT_MAX:
        raise InvalidInput(f"The comment is too long: at most {COMMENT_MAX} characters.")
    anchor = (anchor or "").strip()
    with transaction.atomic():
        current = _locked(submission)
        if current.status == Status.WRITING:
            raise InvalidTransition("The submission is still being written.")
        if parent is not None:
            if parent.submission_id != current.pk:
                raise InvalidInput("That comment belongs to another submission.")
            parent = parent.parent or parent  # threads are one level deep: a reply to a reply joins the thread
            revision, anchor = parent.revision, parent.anchor
        else:
            if revision is not None and revision.submission_id != current.pk:
                raise InvalidInput("That revision belongs to another submission.")
            if anchor:
                revision = revision or _latest_revision(current)
                _check_anchor(anchor, revision)
        comment = Comment.objects.create(submission=current, revision=revision, parent=parent, author=actor,
                                         body=body, anchor=anchor)
        audit_record(actor=actor, verb="submission.commented", target=current,
                     data={"comment": comment.pk, "parent": parent.pk if parent else None, "anchor": anchor,
                           "revision": revision.number if revision else None})
        where = f" on {anchor.replace('-', ' ')}" if anchor else ""
        recipients = {current.author_id} if current.author_id != actor.pk else set()
        if current.author_id == actor.pk:  # the contributor answers: the reviewers in the conversation hear it
            recipients |= set(current.comments.exclude(author=current.author).values_list("author_id", flat=True))
            if current.assignee_id:
                recipients.add(current.assignee_id)
        if parent is not None:
            recipients.add(parent.author_id)
        recipients.discard(actor.pk)
        _tell(User.objects.filter(pk__in=recipients, is_active=True), current, actor,
              f"new comment from {_name(actor)}", f"{_name(actor)} commented{where} on \"{current.title}\":\n\n{body}",
              KINDS.REVIEW_COMMENT)
    return comment


def comment_resolve(*, comment: Comment, actor, resolved: bool) -> Comment:
    """Mark a thread resolved or open again: its starter, the submission's author, or a triager."""
    submission = comment.submission
    allowed = actor is not None and actor.is_authenticated and (
        _is_triager(actor) or actor.pk in (comment.author_id, submission.author_id))
    if not allowed:
        raise NotAllowed("Only the people in the conversation and reviewers can resolve a comment.")
    if comment.parent_id:
        raise InvalidTransition("Replies are resolved with their thread; resolve the first comment.")
    with transaction.atomic():
        current = Comment.objects.select_for_update().get(pk=comment.pk)
        if current.resolved == resolved:
            raise InvalidTransition("The comment is already resolved." if resolved
                                    else "The comment is already open.")
        current.resolved, current.resolved_by = resolved, actor if resolved else None
        current.resolved_at = timezone.now() if resolved else None
        current.save(update_fields=["resolved", "resolved_by", "resolved_at"])
        audit_record(actor=actor, verb="submission.comment_resolved" if resolved else "submission.comment_reopened",
                     target=submission, data={"comment": current.pk})
    comment.resolved, comment.resolved_by_id, comment.resolved_at = (current.resolved, current.resolved_by_id,
                                                                      current.resolved_at)
    return comment


# ----------------------------------------------------------------------------------------------------- merge

def _merge_blockers(submission: Submission, repo: TaxonomyRepository) -> tuple[list[str], Revision | None, str | None]:
    """Everything that stops a merge: state, approval of the latest revision, checks. Returns the reasons,
    the latest revision and the branch head."""
    reasons = []
    if submission.status != Status.APPROVED:
        reasons.append(f"It is {submission.get_status_display().lower()}, not approved.")
    held = [label for label in MERGE_BLOCKING_LABELS if label in submission.labels]
    if held:
        reasons.append(f"It is labelled {', '.join(held)}.")
    revision = _latest_revision(submission)
    if revision is None:
        return [*reasons, "It has no revision."], None, None
    if not Approval.objects.filter(revision=revision).exists():
        reasons.append(f"Nobody has approved its latest revision ({revision.number}); earlier approvals do not "
                       "cover it.")
    branch_head = repo.resolve(submission.branch) if submission.branch else None
    if branch_head is None:
        reasons.append(f"Its branch {submission.branch} is missing.")
    elif branch_head != revision.commit_sha or branch_head != submission.head_commit:
        reasons.append(f"Its branch is at {branch_head[:12]}, not at the latest revision "
                       f"({revision.commit_sha[:12]}).")
    if (revision.validation or {}).get("errors"):
        reasons.append(f"The checks of revision {revision.number} found errors.")
    elif branch_head is not None and not reasons:
        reasons.extend(_check_branch(repo, submission, branch_head))
    return reasons, revision, branch_head


def _check_branch(repo: TaxonomyRepository, submission: Submission, head: str) -> list[str]:
    """The CI rules once more on what would be merged, whatever was recorded when it was submitted."""
    qna_path, attribution_path = f"{submission.taxonomy_path}/qna.yaml", f"{submission.taxonomy_path}/attribution.txt"
    try:
        blobs = repo.read_blobs(head, [qna_path, attribution_path])
    except GitError:
        return [f"The branch does not have both {qna_path} and {attribution_path}."]
    result = validate_qna(blobs[qna_path], path=qna_path, mode="ci", attribution=blobs[attribution_path])
    if result.errors:
        first = result.errors[0]
        return [f"The taxonomy checks fail on the branch ({len(result.errors)} error(s), first: {first.message})."]
    return []


def _merge_tree(repo: TaxonomyRepository, main_head: str, base: str, branch_head: str) -> str:
    """main's tree with the branch's changes since `base` applied, written through a scratch index.

    TaxonomyRepository writes single-parent commits only; a merge commit needs its tree first, and a
    temporary index (GIT_INDEX_FILE) builds it with plumbing, without a working tree.
    """
    raw = run_git(repo.path, ["diff-tree", "-r", "--no-renames", "-z", "--raw", base, branch_head]).stdout
    tokens = raw.split(b"\0")
    records = []
    for meta, path in zip(tokens[0::2], tokens[1::2], strict=False):
        if not meta:
            break
        _, new_mode, _, new_sha, _status = meta.decode("ascii").lstrip(":").split(" ")
        records.append(f"{new_mode} {new_sha}\t".encode() + path + b"\0" if new_sha != _ZERO_ID
                       else b"0 " + _ZERO_ID.encode() + b"\t" + path + b"\0")
    with tempfile.TemporaryDirectory(prefix="labweb-merge-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        run_git(repo.path, ["read-tree", main_head], env=env)
        run_git(repo.path, ["update-index", "-z", "--index-info"], input=b"".join(records), env=env)
        return run_git(repo.path, ["write-tree"], env=env).stdout.decode("ascii").strip()


def _commit_merge(repo: TaxonomyRepository, tree: str, parents: list[str], message: str, actor) -> str:
    identity = git_author(actor)
    now = f"{int(datetime.now(UTC).timestamp())} +0000"
    env = {"GIT_AUTHOR_NAME": identity.name, "GIT_AUTHOR_EMAIL": identity.email, "GIT_AUTHOR_DATE": now,
           "GIT_COMMITTER_NAME": identity.name, "GIT_COMMITTER_EMAIL": identity.email, "GIT_COMMITTER_DATE": now}
    args = ["commit-tree", tree, *[arg for parent in parents for arg in ("-p", parent)], "-F", "-"]
    out = run_git(repo.path, args, input=message.encode("utf-8"), env=env).stdout
    return out.decode("ascii").strip()


def _new_main(repo: TaxonomyRepository, submission: Submission, actor, main_head: str, branch_head: str,
              strategy: str) -> tuple[str, str]:
    """The commit main moves to, and how ("fast-forward" or "merge"). Raises MergeConflict / MergeBlocked."""
    if repo.is_ancestor(main_head, branch_head):
        return branch_head, "fast-forward"
    if strategy == "fast-forward-only":
        raise MergeBlocked(["main has moved on since the branch was written and merges are set to fast-forward "
                            "only (LABWEB_MERGE_STRATEGY)."])
    base = repo.merge_base(main_head, branch_head)
    if base is None:
        raise MergeBlocked(["The branch shares no history with main."])
    ours = {path for change in repo.changed_files(base, branch_head) for path in (change.path, change.old_path)
            if path}
    theirs = {path for change in repo.changed_files(base, main_head) for path in (change.path, change.old_path)
              if path}
    clashes = sorted(ours & theirs)
    if clashes:
        raise MergeConflict(clashes)
    tree = _merge_tree(repo, main_head, base, branch_head)
    approvers = ", ".join(sorted({_name(a.approver) for a in Approval.objects.filter(
        revision__commit_sha=branch_head, submission=submission).select_related("approver")}))
    message = (f"Merge submission #{submission.pk}: {' '.join(submission.title.split())}\n\n"
               f"Branch {submission.branch} ({submission.taxonomy_path}).\n"
               f"Approved by {approvers}; merged by {_name(actor)}.\n")
    return _commit_merge(repo, tree, [main_head, branch_head], message, actor), "merge"


def submission_merge(*, submission: Submission, actor, strategy: str | None = None) -> Submission:
    """Merge an approved submission into main (maintainers and administrators).

    Under the repository lock: check everything again, build the new main (fast-forward, or a merge commit
    when main moved on and the submission's files were not touched there), move main with a compare-and-swap
    from the head just read, then record the merge. A conflict or a blocker leaves main as it was. The index
    is brought up to date afterwards; if that fails, the merge stands and the next sync catches up.
    """
    if actor is None or not has_perm(actor, "merge"):
        raise NotAllowed("Only maintainers and administrators can merge submissions.")
    strategy = strategy or settings.LABWEB_MERGE_STRATEGY
    if strategy not in MERGE_STRATEGIES:
        raise InvalidInput(f"Unknown merge strategy {strategy!r}; choose one of {', '.join(MERGE_STRATEGIES)}.")
    main = settings.TAXONOMY_MAIN_BRANCH
    repo = get_taxonomy_repository()
    moved: tuple[str, str] | None = None  # (old, new) once main was moved
    try:
        with repo.lock(repo.lock_timeout):
            try:
                with transaction.atomic():
                    current = _locked(submission)
                    if current.status == Status.MERGED:
                        raise InvalidTransition(f"Submission #{current.pk} was already merged "
                                                f"(main at {current.merged_commit[:12]}).")
                    reasons, revision, branch_head = _merge_blockers(current, repo)
                    if reasons:
                        raise MergeBlocked(reasons)
                    main_head = repo.resolve(main)
                    if main_head is None:
                        raise MergeBlocked(["The taxonomy has no main branch."])
                    new_head, how = _new_main(repo, current, actor, main_head, branch_head, strategy)
                    try:
                        repo.update_ref(main, new_head, expected_old=main_head)
                    except RefConflict as exc:
                        raise ReviewError("main moved while this merge was being prepared; nothing was "
                                          "merged. Try again.") from exc
                    moved = (main_head, new_head)
                    _save(current, status=Status.MERGED, merged_commit=new_head, merged_at=timezone.now())
                    audit_record(actor=actor, verb="submission.merged", target=current,
                                 data={"commit": new_head, "previous_main": main_head, "how": how,
                                       "revision": revision.number, "branch_head": branch_head})
                    _tell_author(current, actor, "was merged",
                                 f"{_name(actor)} merged \"{current.title}\" into the taxonomy: "
                                 f"{current.taxonomy_path} is now part of main.", KINDS.MERGED)
            except BaseException:
                if moved is not None:  # the database did not record the merge: main must not keep it
                    _undo_main(repo, main, *moved)
                raise
    except RepositoryLocked as exc:
        raise ReviewError("Another change to the taxonomy is being written; nothing was merged. "
                          "Try again in a moment.") from exc
    except GitError as exc:
        raise ReviewError(f"The taxonomy repository could not be updated, nothing was merged: {exc}") from exc
    _refresh_index(repo)
    return _sync(submission, Submission.objects.select_related("author").get(pk=submission.pk))


def _undo_main(repo: TaxonomyRepository, main: str, old: str, new: str) -> None:
    """Put main back where it was (we still hold the lock, so nobody else moved it)."""
    try:
        repo.update_ref(main, old, expected_old=new)
    except GitError:
        logger.exception("merge: main is at %s but the database does not say so; put it back to %s", new, old)


def _refresh_index(repo: TaxonomyRepository) -> None:
    try:
        index_sync(repository=repo)
    except Exception:  # noqa: BLE001 - the merge stands; the next index sync (or the admin's refresh) catches up
        logger.exception("merge: the index could not be updated")
