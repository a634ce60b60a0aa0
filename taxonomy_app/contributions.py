"""Services for contributions (drafts) and submissions (pull requests on the taxonomy repository).

The rules of submitting live here: who may, what must be valid, how the branch and commit are written and how
a crash between the git write and the database write is recovered. Views, the API and tasks only call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from labweb.audit import audit_record
from labweb.roles import has_perm
from taxonomy_app.git import Author, GitError
from taxonomy_app.models import Contribution, ContributionKind, Revision, Submission, TaxonomyNode
from taxonomy_app.qna import (
    ContributionData,
    FieldIssue,
    check_contribution,
    from_qna_yaml,
    parse_attribution_txt,
    to_attribution_txt,
    to_qna_yaml,
)
from taxonomy_app.repositories import get_taxonomy_repository

LEAF_NAME = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
LEAF_NAME_MAX = 64
BRANCH_PREFIX = "contrib/"
# A submission row left in "writing" longer than this was interrupted (the write itself takes milliseconds).
RECOVERY_GRACE = timedelta(minutes=5)
OPEN_STATES = (Submission.Status.OPEN, Submission.Status.CHANGES_REQUESTED)


class ContributionInvalid(Exception):
    """Submitting was refused; nothing was written. `issues` says what to fix, field by field."""

    def __init__(self, issues: list[FieldIssue]):
        super().__init__(f"{len(issues)} problem(s) block this submission")
        self.issues = issues


def _require_owner(contribution: Contribution, actor) -> None:
    if not has_perm(actor, "contribute") or contribution.owner_id != actor.pk:
        raise PermissionDenied("Only the author of a contribution can change it.")


def contribution_start(*, owner, kind: str = "", edits_path: str = "", parent_path: str = "") -> Contribution:
    """A new draft: empty for `kind`, or prefilled from an existing topic when `edits_path` is given."""
    if not has_perm(owner, "contribute"):
        raise PermissionDenied("Log in as a contributor to start a contribution.")
    if edits_path:
        leaf = TaxonomyNode.objects.filter(path=edits_path, kind=TaxonomyNode.Kind.LEAF).first()
        if leaf is None:
            raise ValueError(f"There is no topic at {edits_path!r} to edit.")
        data, _ = from_qna_yaml(leaf.qna_yaml, path=f"{leaf.path}/qna.yaml")
        data.attribution = parse_attribution_txt(leaf.attribution)
        contribution = Contribution.objects.create(
            owner=owner, kind=data.kind, edits_path=leaf.path, data=data.to_dict(),
            title=f"Improve {leaf.name.replace('_', ' ')}",
        )
    else:
        if kind not in ContributionKind.values:
            raise ValueError(f"Unknown kind {kind!r}; choose one of {', '.join(ContributionKind.values)}.")
        contribution = Contribution.objects.create(
            owner=owner, kind=kind, parent_path=parent_path, data=ContributionData.empty(kind).to_dict())
    audit_record(actor=owner, verb="contribution.started", target=contribution,
                 data={"kind": contribution.kind, "edits": contribution.edits_path})
    return contribution


def contribution_update(*, contribution: Contribution, actor, data: ContributionData | None = None,
                        title: str | None = None, description: str | None = None,
                        parent_path: str | None = None, leaf_name: str | None = None,
                        dco_signed_off: bool | None = None) -> Contribution:
    """Autosave: store whatever the form holds, valid or not."""
    _require_owner(contribution, actor)
    if contribution.submission_id and contribution.submission.status not in OPEN_STATES:
        raise PermissionDenied("This submission is no longer open for changes.")
    if data is not None:
        data.kind = contribution.kind
        contribution.data = data.to_dict()
    for field, value in (("title", title), ("description", description), ("parent_path", parent_path),
                         ("leaf_name", leaf_name)):
        if value is not None:
            setattr(contribution, field, value.strip() if field != "description" else value)
    if contribution.edits_path:
        contribution.parent_path, contribution.leaf_name = "", ""
    if dco_signed_off is not None:
        contribution.dco_signed_off = dco_signed_off
    contribution.save()
    return contribution


def contribution_delete(*, contribution: Contribution, actor) -> None:
    _require_owner(contribution, actor)
    if contribution.status != Contribution.Status.DRAFT:
        raise PermissionDenied("A submitted contribution cannot be deleted; it can be closed instead.")
    audit_record(actor=actor, verb="contribution.deleted", target=contribution, data={"title": contribution.title})
    contribution.delete()


def _path_issues(contribution: Contribution) -> list[FieldIssue]:
    """Where the topic goes: an existing category of the right root, and a new, well-formed name."""
    if contribution.edits_path:
        if not TaxonomyNode.objects.filter(path=contribution.edits_path, kind=TaxonomyNode.Kind.LEAF).exists():
            return [FieldIssue("path", "The topic this edits no longer exists on main.", "C1-path", "error")]
        return []
    issues = []
    root = "knowledge" if contribution.kind == ContributionKind.KNOWLEDGE else "compositional_skills"
    parent = TaxonomyNode.objects.filter(path=contribution.parent_path).exclude(kind=TaxonomyNode.Kind.LEAF).first()
    if not contribution.parent_path:
        issues.append(FieldIssue("path", "Choose where in the taxonomy this goes.", "C1-path", "error"))
    elif parent is None:
        issues.append(FieldIssue("path", f"There is no category {contribution.parent_path!r}.", "C1-path", "error"))
    elif contribution.parent_path.split("/")[0] != root:
        what = "Knowledge" if root == "knowledge" else "A skill"
        issues.append(FieldIssue("path", f"{what} belongs under {root}/; choose a category there.", "C1-path",
                                 "error"))
    name = contribution.leaf_name
    if not name:
        issues.append(FieldIssue("leaf_name", "Give the new topic a short name.", "C2-leaf-name", "error"))
    elif len(name) > LEAF_NAME_MAX or not LEAF_NAME.match(name):
        issues.append(FieldIssue(
            "leaf_name", "Use lower-case letters and digits with single underscores between words, "
            f"at most {LEAF_NAME_MAX} characters (for example: meeting_minutes).", "C2-leaf-name", "error"))
    elif TaxonomyNode.objects.filter(path=contribution.leaf_path).exists():
        issues.append(FieldIssue("leaf_name", f"{contribution.leaf_path} already exists; pick another name or "
                                 "edit that topic instead.", "C3-leaf-exists", "error"))
    return issues


def contribution_check(*, contribution: Contribution) -> list[FieldIssue]:
    """Everything that blocks (errors) or should be looked at (warnings) before submitting, by form field."""
    issues = _path_issues(contribution)
    if not contribution.title.strip():
        issues.append(FieldIssue("title", "Give your contribution a short title.", "C4-title", "error"))
    if not contribution.dco_signed_off:
        issues.append(FieldIssue("dco", "Confirm that you may contribute this content.", "C5-dco", "error"))
    data = ContributionData.from_dict(contribution.data)
    data.created_by = contribution.owner.username
    path = contribution.leaf_path or f"{'knowledge' if contribution.kind == 'knowledge' else 'compositional_skills'}/unnamed/topic"
    issues.extend(check_contribution(data, path=f"{path}/qna.yaml"))
    return issues


def _author(user) -> Author:
    name = (user.get_full_name() or user.username).strip()
    email = user.email or f"{user.username}@users.labweb.invalid"
    return Author(name=name, email=email)


def _commit_message(contribution: Contribution, author: Author) -> str:
    parts = [contribution.title.strip()]
    if contribution.description.strip():
        parts.append(contribution.description.strip())
    if contribution.dco_signed_off:
        parts.append(f"Signed-off-by: {author.name} <{author.email}>")
    return "\n\n".join(parts)


@dataclass
class _Files:
    qna_yaml: str
    attribution: str


def _render(contribution: Contribution) -> _Files:
    data = ContributionData.from_dict(contribution.data)
    data.created_by = contribution.owner.username
    return _Files(qna_yaml=to_qna_yaml(data), attribution=to_attribution_txt(data.attribution))


def contribution_submit(*, contribution: Contribution, actor) -> Submission:
    """Validate in strict mode; if clean, write the branch commit and record the submission and its revision.

    First submit: a `writing` row reserves the number, the branch `contrib/<number>-<slug>` is written from
    main's head, then the row becomes `open`. Later submits add a commit (a new revision) on the same branch.
    A failure of the git write removes the reserved row; a crash is finished or undone by
    `submissions_recover`.
    """
    _require_owner(contribution, actor)
    issues = [i for i in contribution_check(contribution=contribution) if i.severity == "error"]
    if issues:
        raise ContributionInvalid(issues)
    files = _render(contribution)
    if contribution.submission_id:
        return _submit_revision(contribution, actor, files)

    repo = get_taxonomy_repository()
    main_head = repo.resolve(settings.TAXONOMY_MAIN_BRANCH)
    with transaction.atomic():
        locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if locked.submission_id:  # a second click on "submit" while the first was being written
            raise ContributionInvalid([FieldIssue(None, "This contribution was already submitted.",
                                                  "C6-already-submitted", "error")])
        submission = Submission.objects.create(
            title=contribution.title.strip(), description=contribution.description, author=actor,
            kind=contribution.kind, taxonomy_path=contribution.leaf_path, base_commit=main_head or "",
        )
        slug = slugify(contribution.leaf_name or contribution.leaf_path.rsplit("/", 1)[-1].replace("_", "-"))[:40]
        submission.branch = f"{BRANCH_PREFIX}{submission.pk}-{slug or 'topic'}"
        submission.save(update_fields=["branch"])
        locked.submission = submission
        locked.save(update_fields=["submission"])
    try:
        author = _author(actor)
        head = repo.commit_files(
            ref=submission.branch, parent=main_head, expected_old=None, author=author,
            message=_commit_message(contribution, author),
            changes={f"{submission.taxonomy_path}/qna.yaml": files.qna_yaml.encode("utf-8"),
                     f"{submission.taxonomy_path}/attribution.txt": files.attribution.encode("utf-8")},
        )
    except Exception:
        with transaction.atomic():
            Contribution.objects.filter(pk=contribution.pk).update(submission=None)
            submission.delete()
        raise
    return _finish_first_revision(submission, contribution, actor, head, files)


def _finish_first_revision(submission: Submission, contribution: Contribution, actor, head: str,
                           files: _Files) -> Submission:
    with transaction.atomic():
        submission.head_commit = head
        submission.status = Submission.Status.OPEN
        submission.save(update_fields=["head_commit", "status", "updated_at"])
        Revision.objects.create(submission=submission, number=1, commit_sha=head, base_commit=submission.base_commit,
                                qna_yaml=files.qna_yaml, attribution=files.attribution, created_by=actor,
                                validation={"mode": "strict", "errors": []})
        Contribution.objects.filter(pk=contribution.pk).update(status=Contribution.Status.SUBMITTED,
                                                               submission=submission)
        audit_record(actor=actor, verb="submission.submitted", target=submission,
                     data={"branch": submission.branch, "commit": head, "path": submission.taxonomy_path})
    contribution.refresh_from_db()
    return submission


def _submit_revision(contribution: Contribution, actor, files: _Files) -> Submission:
    submission = contribution.submission
    if submission.status not in OPEN_STATES:
        raise ContributionInvalid([FieldIssue(None, f"This submission is {submission.get_status_display().lower()}"
                                                    " and takes no new revisions.", "C7-not-open", "error")])
    latest = submission.revisions.order_by("-number").first()
    if latest and latest.qna_yaml == files.qna_yaml and latest.attribution == files.attribution:
        raise ContributionInvalid([FieldIssue(None, "Nothing changed since the last revision.", "C8-unchanged",
                                              "error")])
    repo = get_taxonomy_repository()
    author = _author(actor)
    try:
        head = repo.commit_files(
            ref=submission.branch, expected_old=submission.head_commit, author=author,
            message=_commit_message(contribution, author),
            changes={f"{submission.taxonomy_path}/qna.yaml": files.qna_yaml.encode("utf-8"),
                     f"{submission.taxonomy_path}/attribution.txt": files.attribution.encode("utf-8")},
        )
    except GitError as exc:
        raise ContributionInvalid([FieldIssue(None, f"The branch could not be updated: {exc}", "C9-git",
                                              "error")]) from exc
    with transaction.atomic():
        number = (latest.number if latest else 0) + 1
        Revision.objects.create(submission=submission, number=number, commit_sha=head,
                                base_commit=submission.base_commit, qna_yaml=files.qna_yaml,
                                attribution=files.attribution, created_by=actor,
                                validation={"mode": "strict", "errors": []})
        previous_status = submission.status
        submission.head_commit = head
        submission.status = Submission.Status.OPEN
        submission.title = contribution.title.strip()
        submission.description = contribution.description
        submission.save()
        audit_record(actor=actor, verb="submission.revised", target=submission,
                     data={"revision": number, "commit": head, "previous_status": previous_status})
    return submission


def submissions_recover(*, now=None) -> dict[str, list]:
    """Finish or undo submissions interrupted between the git write and the database write.

    A `writing` row whose branch exists gets its first revision from the branch head; one whose branch does
    not exist is removed. Branches under contrib/ with no row are reported (never deleted automatically).
    """
    now = now or timezone.now()
    repo = get_taxonomy_repository()
    finished, removed = [], []
    for submission in Submission.objects.filter(status=Submission.Status.WRITING,
                                                created_at__lt=now - RECOVERY_GRACE):
        head = repo.resolve(submission.branch) if submission.branch else None
        contribution = Contribution.objects.filter(submission=submission).first()
        if head and contribution is not None:
            qna = repo.read_blob(head, f"{submission.taxonomy_path}/qna.yaml").decode("utf-8")
            attribution = repo.read_blob(head, f"{submission.taxonomy_path}/attribution.txt").decode("utf-8")
            _finish_first_revision(submission, contribution, submission.author, head,
                                   _Files(qna_yaml=qna, attribution=attribution))
            finished.append(submission.pk)
        else:
            with transaction.atomic():
                Contribution.objects.filter(submission=submission).update(submission=None)
                removed.append(submission.pk)
                submission.delete()
    known = set(Submission.objects.exclude(branch="").values_list("branch", flat=True))
    orphans = sorted(name for name in repo.branches(BRANCH_PREFIX) if name not in known)
    return {"finished": finished, "removed": removed, "orphan_branches": orphans}
