"""Services for contributions (drafts) and submissions (pull requests on the taxonomy repository).

The rules of submitting live here: who may, what must be valid, how the branch and commit are written and how
a crash between the git write and the database write is recovered. Views, the API and tasks only call these.

A first submit happens in three steps, each of which may be the last one a dying process completes:

1. reserve: a `writing` Submission row (its id names the branch) is committed and claimed by the draft;
2. write: the branch `contrib/<number>-<slug>` is created from main's head with one commit (git plumbing,
   compare-and-swap from "absent", under the repository's cross-process lock);
3. finish: the row becomes `open` with its first Revision and an audit event, in one transaction.

A failure in step 2 removes the reservation at once. A process killed after step 1 or 2 leaves a `writing`
row that `submissions_recover` removes (no branch) or finishes from the branch head (branch written), so
there is never a row without its branch for long, and a `contrib/` branch without a row is reported.
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
from labweb.notifications import notify_later, users_with_permission
from labweb.roles import has_perm
from taxonomy_app.forge_service import submission_publish_later  # publishing to GitHub etc.: docs/forges.md
from taxonomy_app.git import Author, GitError, RefConflict
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
BRANCH_SLUG_MAX = 40
# A submission row left in "writing" longer than this was interrupted (the write itself takes milliseconds;
# a writer waits at most the repository's lock timeout, 30 s, for its turn).
RECOVERY_GRACE = timedelta(minutes=5)
OPEN_STATES = (Submission.Status.OPEN, Submission.Status.CHANGES_REQUESTED)
_IDENT_UNSAFE = re.compile(r"[<>\x00-\x1f\x7f]+")


class ContributionInvalid(Exception):
    """Submitting was refused; nothing was written. `issues` says what to fix, field by field."""

    def __init__(self, issues: list[FieldIssue]):
        super().__init__(f"{len(issues)} problem(s) block this submission")
        self.issues = issues


def _refuse(rule: str, message: str, field_id: str | None = None) -> ContributionInvalid:
    return ContributionInvalid([FieldIssue(field_id, message, rule, "error")])


def _require_owner(contribution: Contribution, actor) -> None:
    if actor is None or not has_perm(actor, "contribute") or contribution.owner_id != actor.pk:
        raise PermissionDenied("Only the author of a contribution can change it.")


def contribution_start(*, owner, kind: str = "", edits_path: str = "", parent_path: str = "") -> Contribution:
    """A new draft: empty for `kind`, or prefilled from an existing topic when `edits_path` is given."""
    if owner is None or not has_perm(owner, "contribute"):
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
            owner=owner, kind=kind, parent_path=parent_path.strip(), data=ContributionData.empty(kind).to_dict())
    audit_record(actor=owner, verb="contribution.started", target=contribution,
                 data={"kind": contribution.kind, "edits": contribution.edits_path})
    return contribution


def _without_nul(value):
    """NUL carries no meaning in text and PostgreSQL cannot store it (text and jsonb): drop it everywhere."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _max_length(field: str) -> int:
    return Contribution._meta.get_field(field).max_length


def contribution_update(*, contribution: Contribution, actor, data: ContributionData | None = None,
                        title: str | None = None, description: str | None = None,
                        parent_path: str | None = None, leaf_name: str | None = None,
                        dco_signed_off: bool | None = None) -> Contribution:
    """Autosave: store whatever the form holds, valid or not (ValueError only for what cannot be stored)."""
    _require_owner(contribution, actor)
    if contribution.submission_id:
        status = Submission.objects.filter(pk=contribution.submission_id).values_list("status", flat=True).first()
        if status not in OPEN_STATES:
            raise PermissionDenied("This submission is no longer open for changes.")
    values = {"title": None if title is None else " ".join(title.split()),  # a title is one line
              "description": description,
              "parent_path": None if parent_path is None else parent_path.strip(),
              "leaf_name": None if leaf_name is None else leaf_name.strip()}
    values = {field: _without_nul(value) for field, value in values.items() if value is not None}
    for field, value in values.items():
        limit = _max_length(field)
        if limit is not None and len(value) > limit:
            raise ValueError(f"The {field.replace('_', ' ')} is too long: at most {limit} characters.")
    if data is not None:
        data.kind = contribution.kind
        contribution.data = _without_nul(data.to_dict())
    for field, value in values.items():
        setattr(contribution, field, value)
    if contribution.edits_path:
        contribution.parent_path, contribution.leaf_name = "", ""
    if dco_signed_off is not None:
        contribution.dco_signed_off = dco_signed_off
    # Only the form's own fields: a background document check may be writing document_check meanwhile.
    contribution.save(update_fields=["data", "title", "description", "parent_path", "leaf_name",
                                     "dco_signed_off", "updated_at"])
    return contribution


def contribution_delete(*, contribution: Contribution, actor) -> None:
    _require_owner(contribution, actor)
    # submission_id is set from the moment a submit reserves its number, before the status changes.
    if contribution.status != Contribution.Status.DRAFT or contribution.submission_id:
        raise PermissionDenied("A submitted contribution cannot be deleted; it can be closed instead.")
    with transaction.atomic():
        deleted, _ = Contribution.objects.filter(pk=contribution.pk, status=Contribution.Status.DRAFT,
                                                 submission__isnull=True).delete()
        if not deleted:
            raise PermissionDenied("A submitted contribution cannot be deleted; it can be closed instead.")
        audit_record(actor=actor, verb="contribution.deleted", target=contribution,
                     data={"title": contribution.title})


def _root_for(kind: str) -> str:
    return "knowledge" if kind == ContributionKind.KNOWLEDGE else "compositional_skills"


def _path_issues(contribution: Contribution) -> list[FieldIssue]:
    """Where the topic goes: an existing category of the right root, and a new, well-formed name."""
    submitted_path = contribution.submission.taxonomy_path if contribution.submission_id else ""
    if submitted_path and contribution.leaf_path != submitted_path:
        return [FieldIssue("path", f"This submission adds {submitted_path}; a submitted topic cannot move. "
                                   "Start a new contribution to put it elsewhere.", "C10-path-fixed", "error")]
    if contribution.edits_path:
        if not TaxonomyNode.objects.filter(path=contribution.edits_path, kind=TaxonomyNode.Kind.LEAF).exists():
            return [FieldIssue("path", "The topic this edits no longer exists on main.", "C1-path", "error")]
        return []
    issues = []
    root = _root_for(contribution.kind)
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
    elif not submitted_path and TaxonomyNode.objects.filter(path=contribution.leaf_path).exists():
        issues.append(FieldIssue("leaf_name", f"{contribution.leaf_path} already exists; pick another name or "
                                 "edit that topic instead.", "C3-leaf-exists", "error"))
    return issues


def contribution_check(*, contribution: Contribution) -> list[FieldIssue]:
    """Everything that blocks (errors) or should be looked at (warnings) before submitting, by form field."""
    issues = _path_issues(contribution)
    title = contribution.title.strip()
    if not title:
        issues.append(FieldIssue("title", "Give your contribution a short title.", "C4-title", "error"))
    elif len(title) > _max_length("title"):
        issues.append(FieldIssue("title", f"Keep the title under {_max_length('title')} characters.", "C4-title",
                                 "error"))
    if not contribution.dco_signed_off:
        issues.append(FieldIssue("dco", "Confirm that you may contribute this content.", "C5-dco", "error"))
    data = ContributionData.from_dict(contribution.data)
    data.kind = contribution.kind
    data.created_by = contribution.owner.username
    # With the place already reported, the content is checked at a neutral path of the right root, so the
    # same problem is not reported twice in other words.
    placed = contribution.leaf_path and not any(i.field_id in ("path", "leaf_name") for i in issues)
    path = contribution.leaf_path if placed else f"{_root_for(contribution.kind)}/unnamed/topic"
    issues.extend(check_contribution(data, path=f"{path}/qna.yaml"))
    return [i for i in issues if i.severity == "error"] + [i for i in issues if i.severity != "error"]


def _identity(value: str) -> str:
    return " ".join(_IDENT_UNSAFE.sub(" ", value or "").split())


def _author(user) -> Author:
    """The contributor as a git identity; characters git would drop (<, >, controls) are removed."""
    name = _identity(user.get_full_name()) or _identity(user.username) or f"user-{user.pk}"
    email = _identity(user.email).replace(" ", "")
    if email.count("@") != 1:
        email = f"user-{user.pk}@users.labweb.invalid"
    return Author(name=name, email=email)


def _commit_message(contribution: Contribution, author: Author) -> str:
    parts = [" ".join(contribution.title.split())]
    description = contribution.description.replace("\r\n", "\n").replace("\r", "\n").strip()
    if description:
        parts.append(description)
    if contribution.dco_signed_off:
        parts.append(f"Signed-off-by: {author.name} <{author.email}>")
    return "\n\n".join(parts)


@dataclass
class _Files:
    qna_yaml: str
    attribution: str

    def changes(self, leaf_path: str) -> dict[str, bytes]:
        return {f"{leaf_path}/qna.yaml": self.qna_yaml.encode("utf-8"),
                f"{leaf_path}/attribution.txt": self.attribution.encode("utf-8")}


def _render(contribution: Contribution) -> _Files:
    data = ContributionData.from_dict(contribution.data)
    data.kind = contribution.kind
    data.created_by = contribution.owner.username
    return _Files(qna_yaml=to_qna_yaml(data), attribution=to_attribution_txt(data.attribution))


def _branch_name(submission_pk: int, leaf_path: str) -> str:
    slug = slugify(leaf_path.rsplit("/", 1)[-1].replace("_", "-"))[:BRANCH_SLUG_MAX].strip("-")
    return f"{BRANCH_PREFIX}{submission_pk}-{slug or 'topic'}"


def _same_content(contribution: Contribution, qna_yaml: str, attribution: str, leaf_path: str) -> bool:
    """Whether the draft says what the file on main says (layout and created_by aside)."""
    theirs, _ = from_qna_yaml(qna_yaml, path=f"{leaf_path}/qna.yaml")
    theirs.attribution = parse_attribution_txt(attribution)
    mine = ContributionData.from_dict(contribution.data)
    mine.kind = contribution.kind
    theirs.created_by = mine.created_by = ""
    return (to_qna_yaml(theirs) == to_qna_yaml(mine)
            and to_attribution_txt(theirs.attribution) == to_attribution_txt(mine.attribution))


def _main_issues(repo, main_head: str | None, contribution: Contribution, files: _Files) -> list[FieldIssue]:
    """Checks against the commit the branch will start from (the index may lag behind main)."""
    if main_head is None:
        return [FieldIssue(None, "The taxonomy has no main branch yet; ask an administrator to import one.",
                           "C9-git", "error")]
    leaf_path = contribution.leaf_path
    if contribution.edits_path:
        try:
            current_qna = repo.read_blob(main_head, f"{leaf_path}/qna.yaml").decode("utf-8", "replace")
        except GitError:
            return [FieldIssue("path", "The topic this edits no longer exists on main.", "C1-path", "error")]
        current_attribution = (repo.read_blob(main_head, f"{leaf_path}/attribution.txt").decode("utf-8", "replace")
                               if repo.exists(main_head, f"{leaf_path}/attribution.txt") else "")
        if _same_content(contribution, current_qna, current_attribution, leaf_path):
            return [FieldIssue(None, "Nothing changed compared to the topic on main.", "C8-unchanged", "error")]
        return []
    if repo.exists(main_head, leaf_path):
        return [FieldIssue("leaf_name", f"{leaf_path} already exists; pick another name or edit that topic "
                                        "instead.", "C3-leaf-exists", "error")]
    return []


def contribution_submit(*, contribution: Contribution, actor) -> Submission:
    """Validate in strict mode; if clean, write the branch commit and record the submission and its revision.

    First submit: reserve -> write -> finish (see the module docstring). Later submits add a commit (a new
    revision) on the same branch. Raises ContributionInvalid (nothing written) for every refusal, including a
    second submit of the same draft, and GitError when the repository itself fails on a first submit (e.g.
    RepositoryLocked; nothing is left behind either). Must not run inside a transaction: the reservation has to be committed
    before the branch exists, or a crash could leave a branch that no row points to.
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
    issues = _main_issues(repo, main_head, contribution, files)
    if issues:
        raise ContributionInvalid(issues)
    author = _author(actor)
    submission = _reserve(contribution, actor, main_head)
    try:
        head = repo.commit_files(ref=submission.branch, parent=main_head, expected_old=None, author=author,
                                 message=_commit_message(contribution, author),
                                 changes=files.changes(submission.taxonomy_path))
    except BaseException as exc:  # KeyboardInterrupt/SystemExit (a worker being stopped) included
        _release(repo, submission, exc)
        raise  # GitError: the repository failed (locked too long, disk), not the contribution; callers say so
    finished = _finish_first_revision(submission, actor, head, files)
    if finished is None:  # recovery judged the row abandoned and removed it while we were writing
        _delete_branch(repo, submission.branch, head)
        raise _refuse("C9-git", "Submitting took too long and was undone; please submit again.")
    contribution.refresh_from_db()
    return finished


def _reserve(contribution: Contribution, actor, main_head: str) -> Submission:
    """Commit a `writing` row that names the branch, claimed by the draft; one winner per draft."""
    # durable: refuses to run inside an outer transaction, whose rollback could orphan the branch.
    with transaction.atomic(durable=True):
        # Writes come first: on SQLite the first write takes the database lock (waiting its turn), where a
        # read first would take a snapshot that a concurrent writer can invalidate.
        submission = Submission.objects.create(
            title=" ".join(contribution.title.split()), description=contribution.description, author=actor,
            kind=contribution.kind, taxonomy_path=contribution.leaf_path, base_commit=main_head,
        )
        submission.branch = _branch_name(submission.pk, submission.taxonomy_path)
        submission.save(update_fields=["branch"])
        claimed = Contribution.objects.filter(pk=contribution.pk, status=Contribution.Status.DRAFT,
                                              submission__isnull=True).update(submission=submission)
        if not claimed:  # a second click on "submit", or the draft was deleted meanwhile: roll back
            raise _refuse("C6-already-submitted", "This contribution was already submitted.")
    return submission


def _release(repo, submission: Submission, exc: BaseException) -> None:
    """Undo a reservation whose branch write failed. A branch that does exist (the write completed and the
    failure came after it) is left with its row for `submissions_recover` to finish."""
    try:
        written = not isinstance(exc, RefConflict) and repo.resolve(submission.branch) is not None
        if written:
            return
        with transaction.atomic():
            Contribution.objects.filter(submission=submission).update(submission=None)
            Submission.objects.filter(pk=submission.pk, status=Submission.Status.WRITING).delete()
    except Exception:  # noqa: BLE001 - the original failure matters more; recovery removes the row later
        return


def _delete_branch(repo, branch: str, head: str) -> None:
    try:
        repo.delete_branch(branch, expected_old=head)
    except GitError:
        pass  # moved or gone: `submissions_recover` reports what is left


def _finish_first_revision(submission: Submission, actor, head: str, files: _Files, *,
                           recovered: bool = False) -> Submission | None:
    """Open a `writing` submission at `head` with its first revision. Returns the submission (also when it
    was already finished, by recovery), or None when the row no longer exists."""
    now = timezone.now()
    with transaction.atomic():
        opened = Submission.objects.filter(pk=submission.pk, status=Submission.Status.WRITING).update(
            status=Submission.Status.OPEN, head_commit=head, updated_at=now)
        if not opened:
            return Submission.objects.filter(pk=submission.pk).first()
        Revision.objects.create(submission_id=submission.pk, number=1, commit_sha=head,
                                base_commit=submission.base_commit, qna_yaml=files.qna_yaml,
                                attribution=files.attribution, created_by=actor,
                                validation={"mode": "strict", "errors": []})
        Contribution.objects.filter(submission_id=submission.pk).update(status=Contribution.Status.SUBMITTED,
                                                                        updated_at=now)
        data = {"branch": submission.branch, "commit": head, "path": submission.taxonomy_path}
        audit_record(actor=actor, verb="submission.submitted", target=submission,
                     data={**data, "recovered": True} if recovered else data)
        submission_publish_later(submission=submission)  # forge hook: enqueued after commit unless builtin
        notify_later(
            users=users_with_permission("triage"),
            subject=f"[LabWeb] New submission #{submission.pk}: {submission.title}",
            body=f"{submission.author.get_full_name() or submission.author.username} submitted "
                 f"{submission.get_kind_display().lower()} for {submission.taxonomy_path}.\n\n"
                 f"{settings.LABWEB_BASE_URL}/reviews/{submission.pk}/\n",
            url=f"/reviews/{submission.pk}/", kind="submission_submitted", actor=actor,
        )
    submission.refresh_from_db()
    return submission


def _submit_revision(contribution: Contribution, actor, files: _Files) -> Submission:
    submission = Submission.objects.get(pk=contribution.submission_id)
    if submission.status not in OPEN_STATES:
        raise _refuse("C7-not-open", f"This submission is {submission.get_status_display().lower()} and takes "
                                     "no new revisions.")
    latest = submission.revisions.order_by("-number").first()
    if latest and latest.qna_yaml == files.qna_yaml and latest.attribution == files.attribution:
        raise _refuse("C8-unchanged", "Nothing changed since the last revision.")
    repo = get_taxonomy_repository()
    author = _author(actor)
    old_head = submission.head_commit
    try:
        head = repo.commit_files(ref=submission.branch, expected_old=old_head, author=author,
                                 message=_commit_message(contribution, author),
                                 changes=files.changes(submission.taxonomy_path))
    except GitError as exc:  # RefConflict: another revision moved the branch first
        raise _refuse("C9-git", f"The branch could not be updated: {exc}") from exc
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, head_commit=old_head, status__in=OPEN_STATES).update(
            head_commit=head, status=Submission.Status.OPEN, title=" ".join(contribution.title.split()),
            description=contribution.description, updated_at=timezone.now())
        if moved:
            _record_revision(submission, actor, head, files, previous_status=submission.status)
    if not moved:  # closed or merged while the commit was written: take the commit back
        try:
            repo.update_ref(submission.branch, old_head, expected_old=head)
        except GitError:
            pass  # `submissions_recover` reports a branch ahead of its submission
        raise _refuse("C7-not-open", "This submission changed state while the revision was written.")
    submission.refresh_from_db()
    return submission


def _record_revision(submission: Submission, actor, head: str, files: _Files, *, previous_status: str,
                     recovered: bool = False) -> int:
    number = (submission.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    Revision.objects.create(submission_id=submission.pk, number=number, commit_sha=head,
                            base_commit=submission.base_commit, qna_yaml=files.qna_yaml,
                            attribution=files.attribution, created_by=actor,
                            validation={"mode": "strict", "errors": []})
    data = {"revision": number, "commit": head, "previous_status": previous_status}
    audit_record(actor=actor, verb="submission.revised", target=submission,
                 data={**data, "recovered": True} if recovered else data)
    submission_publish_later(submission=submission)  # forge hook: enqueued after commit unless builtin
    return number


def _files_at(repo, commit: str, leaf_path: str) -> _Files:
    blobs = repo.read_blobs(commit, [f"{leaf_path}/qna.yaml", f"{leaf_path}/attribution.txt"])
    return _Files(qna_yaml=blobs[f"{leaf_path}/qna.yaml"].decode("utf-8"),
                  attribution=blobs[f"{leaf_path}/attribution.txt"].decode("utf-8"))


def _remove_abandoned(repo, submission: Submission) -> bool:
    """Remove a `writing` row whose branch was never written. Under the repository lock, so the branch cannot
    appear between the check and the delete (a writer that gets the lock later finds its row gone)."""
    with repo.lock(repo.lock_timeout):
        if submission.branch and repo.resolve(submission.branch) is not None:
            return False
        with transaction.atomic():
            Contribution.objects.filter(submission=submission).update(submission=None)
            deleted, _ = Submission.objects.filter(pk=submission.pk, status=Submission.Status.WRITING).delete()
    return bool(deleted)


def submissions_recover(*, now=None) -> dict[str, list]:
    """Finish or undo submissions interrupted between the git write and the database write.

    * `writing` rows older than RECOVERY_GRACE: finished with their first revision from the branch head when
      the branch exists ("finished"), removed when it does not ("removed");
    * open submissions whose branch is one commit ahead of the recorded head (a revision whose database write
      was interrupted): that commit is recorded as the next revision ("revised");
    * open submissions without their branch ("missing_branches") and branches under contrib/ with no row
      ("orphan_branches") are reported, never changed automatically; so are rows that could not be
      repaired ("failed").
    """
    now = now or timezone.now()
    cutoff = now - RECOVERY_GRACE
    repo = get_taxonomy_repository()
    report: dict[str, list] = {"finished": [], "removed": [], "revised": [], "failed": [], "missing_branches": [],
                               "orphan_branches": []}
    heads = repo.branches(BRANCH_PREFIX)
    interrupted = Submission.objects.filter(status=Submission.Status.WRITING, created_at__lt=cutoff)
    for submission in interrupted.select_related("author").order_by("pk"):
        try:
            head = repo.resolve(submission.branch) if submission.branch else None
            if head is None:
                if _remove_abandoned(repo, submission):
                    report["removed"].append(submission.pk)
                continue
            files = _files_at(repo, head, submission.taxonomy_path)
            if _finish_first_revision(submission, submission.author, head, files, recovered=True) is not None:
                report["finished"].append(submission.pk)
        except (GitError, UnicodeDecodeError) as exc:
            report["failed"].append({"submission": submission.pk, "error": str(exc)})
    for submission in Submission.objects.filter(status__in=OPEN_STATES).exclude(branch="").order_by("pk"):
        head = heads.get(submission.branch) or repo.resolve(submission.branch)  # may be newer than `heads`
        if head is None:
            report["missing_branches"].append({"submission": submission.pk, "branch": submission.branch})
        elif head != submission.head_commit:
            try:
                if _recover_revision(repo, submission, head, cutoff):
                    report["revised"].append(submission.pk)
            except (GitError, UnicodeDecodeError) as exc:
                report["failed"].append({"submission": submission.pk, "error": str(exc)})
    known = set(Submission.objects.exclude(branch="").values_list("branch", flat=True))
    report["orphan_branches"] = sorted(name for name in heads if name not in known)
    return report


def _recover_revision(repo, submission: Submission, head: str, cutoff) -> bool:
    info = repo.commit_info(head)
    if info.committed_at >= cutoff:
        return False  # a revision may be being recorded right now
    if info.parents != (submission.head_commit,):
        raise GitError(f"branch {submission.branch} is at {head[:12]}, which does not follow the recorded head "
                       f"{submission.head_commit[:12]}; an operator has to look at it")
    files = _files_at(repo, head, submission.taxonomy_path)
    with transaction.atomic():
        moved = Submission.objects.filter(pk=submission.pk, head_commit=submission.head_commit,
                                          status__in=OPEN_STATES).update(
            head_commit=head, status=Submission.Status.OPEN, updated_at=timezone.now())
        if moved:
            _record_revision(submission, submission.author, head, files, previous_status=submission.status,
                             recovered=True)
    return bool(moved)
