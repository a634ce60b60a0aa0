"""Exceptions raised by the git access layer.

Every exception derives from GitError, so a caller that only wants "the repository said no" catches that;
the subclasses also derive from the matching builtin (ValueError, FileNotFoundError, TimeoutError,
LookupError) so generic handlers behave sensibly.
"""

from __future__ import annotations

from collections.abc import Sequence


class GitError(Exception):
    """A git operation failed. `command`, `returncode` and `stderr` are set when a git process failed."""

    def __init__(
        self,
        message: str,
        *,
        command: Sequence[str] | None = None,
        returncode: int | None = None,
        stderr: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.command = tuple(command) if command is not None else None
        self.returncode = returncode
        self.stderr = stderr

    def __str__(self) -> str:
        return self.message


class PathRejected(GitError, ValueError):
    """A path (or ref name) given to a write is unsafe or malformed; nothing was written."""


class RefNameRejected(PathRejected):
    """A ref or branch name breaks git's ref-name rules or LabWeb's stricter ones."""


class PathNotFound(GitError, FileNotFoundError):
    """The path does not exist at that commit (or is not of the kind asked for)."""


class RevisionNotFound(GitError, LookupError):
    """A commit, branch or ref does not exist in the repository."""


class RefConflict(GitError):
    """A compare-and-swap ref update failed: the ref is not at the value the caller expected."""

    def __init__(self, ref: str, *, expected: str | None, actual: str | None) -> None:
        super().__init__(
            f"ref {ref} moved: expected {expected or '(absent)'}, found {actual or '(absent)'}; "
            "nothing was changed"
        )
        self.ref = ref
        self.expected = expected
        self.actual = actual


class RepositoryLocked(GitError, TimeoutError):
    """The repository's write lock could not be taken in time (another writer holds it)."""
