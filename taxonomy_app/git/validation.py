"""Checks on paths, ref names and object ids before they reach git.

Paths written into the taxonomy come from users, so they are checked strictly (no traversal, no `.git`,
no control characters). Ref names follow `git check-ref-format` plus two LabWeb rules: no component may start
with '-' (it could be read as an option) and a branch may not be called HEAD or '@' (both mean HEAD).
"""

from __future__ import annotations

import re

from .errors import PathRejected, RefNameRejected

MAX_PATH_BYTES = 4096
MAX_COMPONENT_BYTES = 255
# Tree writes recurse once per directory level; this keeps the depth far from Python's recursion limit.
MAX_PATH_DEPTH = 64

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")
_HEX_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# Characters that never appear in a revision we accept (ranges of whitespace, controls, path separator ':').
_REV_FORBIDDEN = re.compile(r"[\x00-\x20\x7f:]")


def validate_path(path: str) -> str:
    """Return `path` unchanged if it is a safe relative posix file path, else raise PathRejected."""
    if not isinstance(path, str):
        raise PathRejected(f"path must be a string, not {type(path).__name__}")
    if not path:
        raise PathRejected("path is empty")
    if _CONTROL.search(path):
        raise PathRejected(f"path {path!r} contains a control character (NUL, newline, tab, ...)")
    if "\\" in path:
        raise PathRejected(f"path {path!r} contains a backslash; use '/' as the separator")
    if path.startswith("/"):
        raise PathRejected(f"path {path!r} is absolute; paths are relative to the repository root")
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise PathRejected(f"path {path!r} is not valid UTF-8") from None
    if len(encoded) > MAX_PATH_BYTES:
        raise PathRejected(f"path is longer than {MAX_PATH_BYTES} bytes")
    components = path.split("/")
    if len(components) > MAX_PATH_DEPTH:
        raise PathRejected(f"path {path!r} is nested deeper than {MAX_PATH_DEPTH} directories")
    for component in components:
        if component == "":
            raise PathRejected(f"path {path!r} has an empty component (leading, trailing or double '/')")
        if component in (".", ".."):
            raise PathRejected(f"path {path!r} contains {component!r}; relative traversal is not allowed")
        # Windows and macOS clients would treat ".GIT", ".git." or "git~1" as the .git directory.
        folded = component.rstrip(" .").casefold()
        if folded in (".git", "git~1"):
            raise PathRejected(f"path {path!r} contains a .git component")
        if len(component.encode("utf-8")) > MAX_COMPONENT_BYTES:
            raise PathRejected(f"path {path!r} has a component longer than {MAX_COMPONENT_BYTES} bytes")
    return path


def normalize_read_path(path: str) -> str:
    """Normalise a path used for reading: surrounding '/' are dropped, '' means the root.

    Reads tolerate names the write check would refuse (they may exist in imported history), but not those
    that would break git's line-based protocols or climb out of the tree.
    """
    if not isinstance(path, str):
        raise PathRejected(f"path must be a string, not {type(path).__name__}")
    stripped = path.strip("/")
    if not stripped:
        return ""
    if "\x00" in stripped or "\n" in stripped:
        raise PathRejected(f"path {path!r} contains NUL or a newline")
    if any(component in ("", ".", "..") for component in stripped.split("/")):
        raise PathRejected(f"path {path!r} has an empty, '.' or '..' component")
    return stripped


def check_ref_format(ref: str) -> str:
    """Apply `git check-ref-format` rules (and LabWeb's) to a full ref name; return it or raise."""
    if not isinstance(ref, str):
        raise RefNameRejected(f"ref name must be a string, not {type(ref).__name__}")

    def reject(reason: str) -> RefNameRejected:
        return RefNameRejected(f"invalid ref name {ref!r}: {reason}")

    if not ref:
        raise reject("it is empty")
    match = _REF_FORBIDDEN.search(ref)
    if match:
        raise reject(
            f"it contains {match.group()!r} (spaces, control characters and ~^:?*[\\ are not allowed)"
        )
    if ref == "@" or "@{" in ref:
        raise reject("'@' alone and '@{' are not allowed")
    if ".." in ref:
        raise reject("'..' is not allowed")
    if ref.startswith("/") or ref.endswith("/") or "//" in ref:
        raise reject("it starts or ends with '/' or contains '//'")
    if ref.endswith("."):
        raise reject("it ends with '.'")
    for component in ref.split("/"):
        if component.startswith("."):
            raise reject(f"component {component!r} starts with '.'")
        if component.endswith(".lock"):
            raise reject(f"component {component!r} ends with '.lock'")
        if component.startswith("-"):
            raise reject(f"component {component!r} starts with '-'")
    return ref


def full_ref(name: str) -> str:
    """'main' -> 'refs/heads/main'; a name starting with 'refs/' is taken as a full ref. Validated."""
    if not isinstance(name, str):
        raise RefNameRejected(f"ref name must be a string, not {type(name).__name__}")
    ref = name if name.startswith("refs/") else f"refs/heads/{name}"
    check_ref_format(ref)
    if ref in ("refs/heads/HEAD", "refs/heads/@"):
        raise RefNameRejected(f"invalid ref name {name!r}: a branch may not be called HEAD or '@'")
    if ref.count("/") < 2:
        raise RefNameRejected(
            f"invalid ref name {name!r}: a full ref needs a namespace, e.g. refs/heads/<name>"
        )
    return ref


def validate_object_id(value: str, what: str) -> str:
    """Return a full hexadecimal object id in lower case; raise ValueError if `value` is not one."""
    if not isinstance(value, str) or not _HEX_ID.fullmatch(value.lower()):
        raise ValueError(f"{what} must be a full hexadecimal object id, got {value!r}")
    return value.lower()


def is_plausible_revision(rev: str) -> bool:
    """Whether `rev` may be handed to rev-parse: no leading '-', whitespace, control characters or ':'."""
    return bool(rev) and not rev.startswith("-") and not _REV_FORBIDDEN.search(rev)
