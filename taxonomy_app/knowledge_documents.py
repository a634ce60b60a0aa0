"""Knowledge documents for contributions: uploads committed to LabWeb's documents repository, and a background
check of a repository the contributor names (clone with a time limit and size cap, checkout, glob, .md/.pdf).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from labweb.audit import audit_record
from taxonomy_app.docsource import fetch_documents
from taxonomy_app.git import Author
from taxonomy_app.models import Contribution, ContributionKind
from taxonomy_app.qna import ContributionData, DocumentRef
from taxonomy_app.repositories import documents_repository_url, get_documents_repository

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS_PER_CONTRIBUTION = 20
ACCEPTED_SUFFIXES = {".md": ".md", ".markdown": ".md", ".txt": ".md"}
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
# Remote sources a contributor may name; local paths are for development and the offline tests.
REMOTE_SCHEMES = ("https://", "ssh://", "git://", "git@")


class DocumentRejected(ValueError):
    """An uploaded or named document cannot be used; the message says why in plain words."""


def _safe_filename(name: str) -> str:
    stem, suffix = PurePosixPath(name.replace("\\", "/")).stem, PurePosixPath(name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise DocumentRejected(f"{name!r} is not a Markdown (.md) or plain-text (.txt) file. Save your document "
                               "in one of those formats and upload it again.")
    cleaned = _UNSAFE.sub("-", stem.lower()).strip("-.")[:80] or "document"
    return cleaned + ACCEPTED_SUFFIXES[suffix]


def _require_knowledge_owner(contribution: Contribution, actor) -> None:
    if contribution.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied("Only the author of a contribution can change its documents.")
    if contribution.kind != ContributionKind.KNOWLEDGE:
        raise DocumentRejected("Only knowledge contributions have source documents.")


def document_upload(*, contribution: Contribution, actor, filename: str, content: bytes) -> DocumentRef:
    """Commit an uploaded Markdown/text document and point the contribution's `document` block at it."""
    _require_knowledge_owner(contribution, actor)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentRejected(f"The document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    if not content.strip():
        raise DocumentRejected("The document is empty.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise DocumentRejected(f"The document is not UTF-8 text (first unreadable byte on line {line}). Save it "
                               "as UTF-8 and upload it again.") from None
    if "\x00" in text:
        raise DocumentRejected("The document contains binary data; upload a Markdown or text file.")
    data = ContributionData.from_dict(contribution.data)
    document = data.document or DocumentRef()
    ours = document.repo == documents_repository_url()
    patterns = list(document.patterns) if ours else []
    if len(patterns) >= MAX_DOCUMENTS_PER_CONTRIBUTION:
        raise DocumentRejected(f"A contribution can have at most {MAX_DOCUMENTS_PER_CONTRIBUTION} documents.")
    path = f"contributions/{contribution.pk}/{_safe_filename(filename)}"
    name = (actor.get_full_name() or actor.username).strip()
    repo = get_documents_repository()
    commit = repo.commit_files(
        ref="main", changes={path: text.replace("\r\n", "\n").encode("utf-8")},
        author=Author(name=name, email=actor.email or f"{actor.username}@users.labweb.invalid"),
        message=f"Add {path} for contribution {contribution.pk}",
    )
    if path not in patterns:
        patterns.append(path)
    # The newest commit holds every earlier upload too, so one commit pins them all.
    data.document = DocumentRef(repo=documents_repository_url(), commit=commit, patterns=patterns)
    with transaction.atomic():
        contribution.data = data.to_dict()
        contribution.document_check = {"status": "ok", "files": patterns, "issues": [],
                                       "checked": data.document.to_dict(), "at": timezone.now().isoformat()}
        contribution.save(update_fields=["data", "document_check", "updated_at"])
        audit_record(actor=actor, verb="document.uploaded", target=contribution, data={"path": path, "commit": commit})
    return data.document


def document_text(*, contribution: Contribution, path: str) -> str:
    """The text of one of the contribution's documents in LabWeb's repository, for picking contexts."""
    data = ContributionData.from_dict(contribution.data)
    if not data.document or data.document.repo != documents_repository_url() or path not in data.document.patterns:
        raise DocumentRejected("That document is not part of this contribution.")
    return get_documents_repository().read_blob(data.document.commit, path).decode("utf-8", "replace")


def _source_allowed(repo: str) -> bool:
    if repo.startswith(REMOTE_SCHEMES):
        return True
    return getattr(settings, "DOCUMENTS_ALLOW_LOCAL_SOURCES", False) and not repo.startswith("-")


def document_check_request(*, contribution: Contribution, actor) -> None:
    """Mark the named repository for checking and enqueue the background check after commit."""
    from taxonomy_app import tasks

    _require_knowledge_owner(contribution, actor)
    data = ContributionData.from_dict(contribution.data)
    document = data.document or DocumentRef()
    if not document.repo or not document.commit or not document.patterns:
        raise DocumentRejected("Fill in the repository address, the commit and at least one file pattern first.")
    if not _source_allowed(document.repo):
        raise DocumentRejected("The repository address must start with https://, ssh:// or git@.")
    contribution.document_check = {"status": "running", "checked": document.to_dict(),
                                   "at": timezone.now().isoformat(), "files": [], "issues": []}
    contribution.save(update_fields=["document_check", "updated_at"])
    transaction.on_commit(lambda: tasks.document_check.delay(contribution.pk))


def document_check_run(*, contribution_id: int) -> dict:
    """Clone and look; store what was found on the contribution (called by the Celery task)."""
    contribution = Contribution.objects.get(pk=contribution_id)
    requested = contribution.document_check.get("checked") or {}
    with tempfile.TemporaryDirectory(prefix="labweb-doccheck-") as tmp:
        result = fetch_documents(
            repo=str(requested.get("repo", "")), commit=str(requested.get("commit", "")),
            patterns=[p for p in requested.get("patterns", []) if isinstance(p, str)],
            destination=Path(tmp) / "repo", timeout_s=settings.DOCUMENTS_CLONE_TIMEOUT_S,
            max_bytes=settings.DOCUMENTS_CLONE_MAX_BYTES, style="sdg",
        )
    outcome = {
        "status": "ok" if result.ok else "failed", "checked": requested, "files": result.files,
        "issues": [{"message": i.message, "detail": i.detail or ""} for i in result.issues],
        "at": timezone.now().isoformat(),
    }
    # Only store it if the contributor has not asked for a different check meanwhile.
    with transaction.atomic():
        current = Contribution.objects.select_for_update().get(pk=contribution_id)
        if (current.document_check or {}).get("checked") == requested:
            current.document_check = outcome
            current.save(update_fields=["document_check", "updated_at"])
    return outcome
