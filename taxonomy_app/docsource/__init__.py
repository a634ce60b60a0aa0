"""Fetching the knowledge documents a qna.yaml points to (rule R17), without Django.

Clone the repository into a temporary directory with a time limit and a size cap, check out the commit,
expand the patterns and keep the .md/.pdf files, the way ``ilab taxonomy diff`` does (non-recursive glob,
case-sensitive suffixes) or the way SDG does (recursive glob, case-insensitive suffixes).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from taxonomy_app.schema import Issue

DEFAULT_TIMEOUT_S = 120
DEFAULT_MAX_BYTES = 500 * 1024 * 1024
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C", "GIT_ASKPASS": "true"}


@dataclass
class FetchResult:
    files: list[str] = field(default_factory=list)   # repository-relative paths of the documents found
    issues: list[Issue] = field(default_factory=list)
    checkout: Path | None = None

    @property
    def ok(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)


def _issue(message: str, detail: str | None = None) -> Issue:
    return Issue(rule="R17-documents", message=message, yaml_path=".document", detail=detail)


def _git(args: list[str], *, cwd: Path | None, timeout_s: float) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s,
                          env={**os.environ, **_GIT_ENV}, check=False)


def _tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def fetch_documents(*, repo: str, commit: str, patterns: list[str], destination: Path,
                    timeout_s: float = DEFAULT_TIMEOUT_S, max_bytes: int = DEFAULT_MAX_BYTES,
                    style: str = "ilab") -> FetchResult:
    """Clone `repo` into `destination`, check out `commit`, and match `patterns` (style "ilab" or "sdg")."""
    result = FetchResult(checkout=destination)
    if repo.startswith("-") or "\n" in repo:
        result.issues.append(_issue(f"The document repository address {repo!r} is not a git URL."))
        return result
    try:
        clone = _git(["clone", "--quiet", "--no-checkout", "--", repo, str(destination)], cwd=None,
                     timeout_s=timeout_s)
    except subprocess.TimeoutExpired:
        result.issues.append(_issue(f"Cloning {repo} took longer than {int(timeout_s)} seconds."))
        return result
    if clone.returncode != 0:
        result.issues.append(_issue(f"The document repository {repo} could not be cloned.", clone.stderr.strip()))
        return result
    if _tree_size(destination) > max_bytes:
        result.issues.append(_issue(f"The document repository is larger than {max_bytes // (1024 * 1024)} MiB."))
        return result
    if commit:
        if commit.startswith("-"):
            result.issues.append(_issue(f"{commit!r} is not a commit id."))
            return result
        checkout = _git(["checkout", "--quiet", "--detach", commit], cwd=destination, timeout_s=timeout_s)
        if checkout.returncode != 0:
            result.issues.append(_issue(f"The commit {commit} was not found in {repo}.", checkout.stderr.strip()))
            return result
    elif style == "ilab":
        _git(["checkout", "--quiet"], cwd=destination, timeout_s=timeout_s)
    root = destination.resolve()
    matched: set[str] = set()
    for pattern in patterns:
        if not isinstance(pattern, str) or Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            result.issues.append(_issue(f"The pattern {pattern!r} must be a path inside the repository."))
            continue
        for hit in glob.glob(str(root / pattern), recursive=(style == "sdg")):
            path = Path(hit).resolve()
            if path.is_file() and path.is_relative_to(root) and ".git" not in path.relative_to(root).parts:
                matched.add(path.relative_to(root).as_posix())
    for relpath in sorted(matched):
        suffix = Path(relpath).suffix
        accepted = suffix.lower() in (".md", ".pdf") if style == "sdg" else suffix in (".md", ".pdf")
        if accepted:
            result.files.append(relpath)
        elif style == "ilab":
            result.issues.append(_issue(f"{relpath} is not a Markdown (.md) or PDF (.pdf) file: knowledge "
                                        "documents must be one of those.", "Unsupported file format for knowledge docs"))
    if not result.files and result.ok:
        result.issues.append(_issue("None of the patterns matched a Markdown or PDF file in the document "
                                    "repository at that commit.", "Couldn't find any valid knowledge documents."))
    return result


class GitDocumentCheck:
    """A DocumentCheck for the validator: fetches into a temporary directory and removes it afterwards."""

    def __init__(self, *, timeout_s: float = DEFAULT_TIMEOUT_S, max_bytes: int = DEFAULT_MAX_BYTES,
                 style: str = "ilab") -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.style = style

    def __call__(self, document_block: dict) -> list[Issue]:
        patterns = document_block.get("patterns")
        with tempfile.TemporaryDirectory(prefix="labweb-docs-") as tmp:
            try:
                return fetch_documents(
                    repo=str(document_block.get("repo") or ""), commit=str(document_block.get("commit") or ""),
                    patterns=patterns if isinstance(patterns, list) else [], destination=Path(tmp) / "repo",
                    timeout_s=self.timeout_s, max_bytes=self.max_bytes, style=self.style,
                ).issues
            finally:
                shutil.rmtree(Path(tmp) / "repo", ignore_errors=True)
