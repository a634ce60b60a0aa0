"""Access to LabWeb's bare git repositories through git plumbing. Pure Python: no Django here."""

from .errors import (
    GitError,
    PathNotFound,
    PathRejected,
    RefConflict,
    RefNameRejected,
    RepositoryLocked,
    RevisionNotFound,
)
from .records import Author, CommitInfo, FileChange, TreeEntry
from .repository import TaxonomyRepository

__all__ = [
    "Author",
    "CommitInfo",
    "FileChange",
    "GitError",
    "PathNotFound",
    "PathRejected",
    "RefConflict",
    "RefNameRejected",
    "RepositoryLocked",
    "RevisionNotFound",
    "TaxonomyRepository",
    "TreeEntry",
]
