"""Links from a knowledge leaf's `document` block to the documents people can read.

Documents in LabWeb's own documents repository open inside LabWeb; documents on a public forge get a
link to the forge's file view at the pinned commit. Nothing here touches the network.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from django.urls import reverse

from taxonomy_app.git import GitError
from taxonomy_app.repositories import documents_repository_url, get_documents_repository

_FORGE_URL = re.compile(r"^(?:https://|git@)(?P<host>github\.com|gitlab\.com)[/:](?P<slug>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")
_HEX = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass
class DocumentLink:
    label: str
    url: str
    internal: bool


def document_links(document: dict | None) -> list[DocumentLink]:
    if not isinstance(document, dict):
        return []
    repo = str(document.get("repo") or "")
    commit = str(document.get("commit") or "")
    patterns = [p for p in document.get("patterns") or [] if isinstance(p, str)]
    if not patterns or not _HEX.match(commit):
        return []
    if repo == documents_repository_url():
        return _internal_links(commit, patterns)
    match = _FORGE_URL.match(repo)
    if not match:
        return []
    base = f"https://{match['host']}/{match['slug']}"
    return [
        DocumentLink(label=p, url=f"{base}/{'blob' if '*' not in p else 'tree'}/{commit}/{p if '*' not in p else ''}",
                     internal=False)
        for p in patterns
    ]


def _internal_links(commit: str, patterns: list[str]) -> list[DocumentLink]:
    try:
        files = [entry.path for entry in get_documents_repository().walk_files(commit)]
    except GitError:
        return []
    matched = sorted({f for f in files for p in patterns if fnmatch.fnmatchcase(f, p)})
    return [DocumentLink(label=f, url=reverse("taxonomy:document", args=[commit, f]), internal=True)
            for f in matched]
