"""Plain immutable values handed out by TaxonomyRepository."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# git silently drops these from identities; rejecting them keeps what is stored equal to what was asked for.
_IDENT_FORBIDDEN = re.compile(r"[<>\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def __post_init__(self) -> None:
        for field, value in (("name", self.name), ("email", self.email)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"author {field} must be a non-empty string")
            if _IDENT_FORBIDDEN.search(value):
                raise ValueError(f"author {field} {value!r} contains '<', '>' or a control character")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    short_sha: str
    summary: str
    message: str
    author_name: str
    author_email: str
    authored_at: datetime
    committer_name: str
    committed_at: datetime
    parents: tuple[str, ...]


@dataclass(frozen=True)
class TreeEntry:
    path: str
    name: str
    kind: Literal["blob", "tree"]
    sha: str
    size: int | None


@dataclass(frozen=True)
class FileChange:
    status: Literal["A", "M", "D", "R"]
    path: str
    old_path: str | None
