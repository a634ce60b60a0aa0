"""Publishing submissions to the configured forge (settings.LABWEB_FORGE; docs/forges.md).

The built-in forge is the default and needs nothing. With another forge, every submit and revision enqueues
`tasks.submission_publish` after the database commit; the task pushes the submission's current head and, the
first time, opens the pull request. What the forge has is read from the audit trail (`submission.published`
events), so no extra columns are needed and a redelivered task finds its work already done. A forge that
refuses is recorded as `submission.publish_failed`: the submission in LabWeb stays as it is.
"""

from __future__ import annotations

import logging

import filelock
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from labweb.audit import audit_record
from labweb.models import AuditEvent
from taxonomy_app.forges import (
    BuiltinForge,
    Forge,
    ForgeError,
    ForgeState,
    GitHubForge,
    PublishRequest,
    PublishResult,
    pull_number_from_url,
)
from taxonomy_app.git import GitError
from taxonomy_app.models import Submission
from taxonomy_app.qna import from_qna_yaml
from taxonomy_app.repositories import get_taxonomy_repository

logger = logging.getLogger(__name__)

PUBLISHED = "submission.published"
PUBLISH_FAILED = "submission.publish_failed"
PUBLISHABLE = (Submission.Status.OPEN, Submission.Status.CHANGES_REQUESTED, Submission.Status.APPROVED)
# A push of a big branch over a slow link: a second task for one submission waits this long for the first.
PUBLISH_LOCK_TIMEOUT_S = 600
# Publications are serialised per submission through lock files next to the bare repository (shared by every
# worker that writes it); hashing the number into a fixed set keeps the files few.
PUBLISH_LOCK_SLOTS = 64


def get_forge() -> Forge:
    if settings.LABWEB_FORGE == "builtin":
        return BuiltinForge()
    if settings.LABWEB_FORGE == "github":
        try:
            return GitHubForge(remote_url=settings.GITHUB_REMOTE_URL, repo=settings.GITHUB_REPO,
                               token=settings.GITHUB_TOKEN, api_url=settings.GITHUB_API_URL,
                               base_branch=settings.GITHUB_BASE_BRANCH, head_owner=settings.GITHUB_HEAD_OWNER,
                               timeout=settings.GITHUB_TIMEOUT)
        except ValueError as exc:
            raise ImproperlyConfigured(f"LABWEB_FORGE=github: {exc}") from exc
    raise ImproperlyConfigured(f"LABWEB_FORGE={settings.LABWEB_FORGE!r} must be builtin or github.")


def submission_publish_later(*, submission: Submission) -> None:
    """Enqueue publishing once the current transaction commits; nothing at all with the built-in forge."""
    if settings.LABWEB_FORGE == "builtin":
        return
    from taxonomy_app import tasks  # tasks -> contributions -> this module: import when used

    submission_id = submission.pk
    transaction.on_commit(lambda: tasks.submission_publish.delay(submission_id))


def _last_published(submission: Submission) -> dict:
    event = (AuditEvent.objects.filter(target_type=Submission._meta.label_lower, target_id=str(submission.pk),
                                       verb=PUBLISHED).order_by("-created_at", "-id").first())
    return event.data if event is not None else {}


def _publish_request(submission: Submission, previous: dict) -> PublishRequest:
    """What was committed and checked, read from the branch head and its revision, not from the draft."""
    revision = submission.revisions.order_by("-number").first()
    repo = get_taxonomy_repository()
    data, _ = from_qna_yaml(revision.qna_yaml if revision else "",
                            path=f"{submission.taxonomy_path}/qna.yaml")
    first_pair = next((pair for seed in data.seeds for pair in seed.pairs if pair.question.strip()), None)
    message = repo.commit_info(submission.head_commit).message
    validation = revision.validation if revision else {}
    existing = None
    if previous.get("external_id"):
        existing = PublishResult(external_url=previous.get("external_url", ""),
                                 external_id=previous["external_id"])
    return PublishRequest(
        repository=repo.path, branch=submission.branch, head_commit=submission.head_commit,
        number=submission.pk, title=submission.title, description=submission.description,
        kind=submission.kind, taxonomy_path=submission.taxonomy_path,
        author_name=submission.author.get_full_name() or submission.author.username,
        seed_count=len(data.seeds),
        dco_signed_off=any(line.startswith("Signed-off-by: ") for line in message.splitlines()),
        validated=validation.get("mode") == "strict" and validation.get("errors") == [],
        has_attribution=bool(revision and revision.attribution.strip()),
        sample_question=first_pair.question if first_pair else "",
        previous_head=previous.get("commit", ""), existing=existing,
    )


def submission_publish(*, submission: Submission) -> PublishResult | None:
    """Bring the forge up to date with the submission's head; None when there was nothing to do or it failed.

    A ForgeError is recorded on the submission's audit trail and never undoes or blocks the submission.
    """
    forge = get_forge()
    slot = submission.pk % PUBLISH_LOCK_SLOTS
    lock_path = get_taxonomy_repository().path.with_name(f"labweb-publish-{slot}.lock")
    try:
        with filelock.FileLock(str(lock_path), timeout=PUBLISH_LOCK_TIMEOUT_S):
            return _publish_locked(forge, Submission.objects.select_related("author").get(pk=submission.pk))
    except filelock.Timeout:
        audit_record(actor=None, verb=PUBLISH_FAILED, target=submission,
                     data={"forge": forge.name, "commit": submission.head_commit,
                           "error": "Another publication of this submission is still running."})
        return None


def _publish_locked(forge: Forge, submission: Submission) -> PublishResult | None:
    if submission.status not in PUBLISHABLE or not submission.head_commit:
        return None
    previous = _last_published(submission)
    if previous.get("forge") != forge.name:
        previous = {}  # another forge's pull request is not this one's
    if previous.get("commit") == submission.head_commit:
        return None  # a redelivered or duplicate task: the forge already has this head
    try:
        result = forge.publish(_publish_request(submission, previous))
    except (ForgeError, GitError) as exc:  # GitError: the head commit cannot be read back from LabWeb's repo
        logger.warning("publishing submission %s to %s failed: %s", submission.pk, forge.name, exc)
        audit_record(actor=None, verb=PUBLISH_FAILED, target=submission,
                     data={"forge": forge.name, "commit": submission.head_commit, "error": str(exc),
                           "status": getattr(exc, "status", None)})
        return None
    Submission.objects.filter(pk=submission.pk).update(forge=forge.name, external_url=result.external_url)
    submission.forge, submission.external_url = forge.name, result.external_url
    audit_record(actor=None, verb=PUBLISHED, target=submission,
                 data={"forge": forge.name, "commit": result.pushed_commit or submission.head_commit,
                       "external_url": result.external_url, "external_id": result.external_id,
                       "warnings": list(result.warnings)})
    return result


def submission_forge_state(*, submission: Submission) -> ForgeState | None:
    """The pull request's state on the forge (None for the built-in forge or before it was published).

    Raises ForgeError when the forge cannot answer.
    """
    if submission.forge == "builtin" or settings.LABWEB_FORGE != submission.forge:
        return None
    external_id = (_last_published(submission).get("external_id")
                   or pull_number_from_url(submission.external_url))
    if not external_id:
        return None
    return get_forge().sync(external_id)


FORGE_SYNCED = "submission.forge_synced"


def submission_forge_status(*, submission: Submission) -> dict | None:
    """What LabWeb last read of the pull request on the forge: {"state", "labels", "url", "at"}, or None."""
    event = (AuditEvent.objects.filter(verb=FORGE_SYNCED, target_type="taxonomy_app.submission",
                                       target_id=str(submission.pk)).order_by("-created_at", "-id").first())
    return {**event.data, "at": event.created_at} if event else None


def submissions_forge_sync() -> dict[str, int]:
    """Read back the state of every published pull request; record it when it changed (for the pages).

    The forge's state is shown, never obeyed: merging and closing stay decisions taken in LabWeb.
    """
    if settings.LABWEB_FORGE == "builtin":
        return {"checked": 0, "changed": 0, "failed": 0}
    counts = {"checked": 0, "changed": 0, "failed": 0}
    published = (Submission.objects.filter(forge=settings.LABWEB_FORGE).exclude(external_url="")
                 .exclude(status=Submission.Status.WRITING))
    for submission in published:
        counts["checked"] += 1
        try:
            state = submission_forge_state(submission=submission)
        except ForgeError as exc:
            counts["failed"] += 1
            logger.warning("could not read the forge state of submission %s: %s", submission.pk, exc)
            continue
        if state is None:
            continue
        current = {"state": state.state, "labels": sorted(state.labels), "url": state.url}
        last = submission_forge_status(submission=submission)
        if last is None or {key: last.get(key) for key in current} != current:
            audit_record(actor=None, verb=FORGE_SYNCED, target=submission, data=current)
            counts["changed"] += 1
    return counts
