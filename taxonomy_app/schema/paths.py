"""Taxonomy paths: which schema a path selects, ilab's file detection, and LabWeb's path policy."""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import PurePath, PurePosixPath

from .schemas import KINDS
from .types import Issue

logger = logging.getLogger(__name__)

TAXONOMY_FOLDERS = KINDS
QNA_NAME = "qna.yaml"
_SEGMENT = re.compile(r"^[a-z0-9_]+$")


def _parts(path: str | PurePath) -> tuple[str, ...]:
    text = str(path)
    if not text:
        return ()
    absolute = text.startswith("/")
    normalized = posixpath.normpath(text)
    parts = tuple(p for p in normalized.split("/") if p not in ("", "."))
    return (("/",) + parts) if absolute else parts


def taxonomy_relative(path: str | PurePath) -> PurePosixPath | None:
    """The sub-path from the *last* ``compositional_skills``/``knowledge`` component, like the reference.

    None when the path has no such component.
    """
    parts = _parts(path)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in TAXONOMY_FOLDERS:
            return PurePosixPath(*parts[i:])
    return None


def schema_kind(path: str | PurePath, contents: dict | None) -> str:
    """The schema a file is checked against: its taxonomy folder, else decided by a ``document`` key."""
    rel = taxonomy_relative(path)
    if rel is not None:
        return rel.parts[0]
    return "knowledge" if isinstance(contents, dict) and "document" in contents else "compositional_skills"


def is_taxonomy_file(path: str | PurePath) -> bool:
    """What ``ilab taxonomy diff`` picks up, for a repository-relative path.

    True for ``qna.yaml`` under ``compositional_skills/`` or ``knowledge/``. A differently cased name or a
    ``qna.yml`` there is logged as a warning and skipped (False), like ilab; everything else is ignored.
    """
    pure = PurePosixPath(str(path).replace("\\", "/")) if not isinstance(path, PurePath) else path
    if not pure.parts or pure.parts[0] not in TAXONOMY_FOLDERS:
        return False
    if pure.name == QNA_NAME:
        return True
    if pure.name.casefold() in ("qna.yml", "qna.yaml"):
        logger.warning(
            "Found a '%s' file: %s: taxonomy files must be named '%s'. File will not be checked.",
            pure.name,
            pure,
            QNA_NAME,
        )
    return False


def path_policy_issues(path: str) -> list[Issue]:
    """LabWeb's rules for where a contribution may live (strict mode, rules P8-*)."""
    issues: list[Issue] = []

    def add(rule: str, message: str) -> None:
        issues.append(Issue(rule=rule, message=message, severity="error"))

    raw_parts = [p for p in str(path).replace("\\", "/").split("/")]
    if any(p in ("..", ".") for p in raw_parts) or "\\" in str(path):
        add(
            "P8-path-traversal",
            f"The path '{path}' contains '..', '.' or backslashes; give a plain path inside the taxonomy.",
        )
    rel = taxonomy_relative(path)
    given = _parts(path)
    if rel is None:
        add(
            "P8-path-root",
            f"The file must be inside compositional_skills/ or knowledge/, but its path is '{path}'.",
        )
        return issues
    if not str(path).startswith("/") and given[: len(rel.parts)] != rel.parts:
        add(
            "P8-path-root",
            f"The path must start with compositional_skills/ or knowledge/ and contain only one of them, "
            f"but it is '{path}'.",
        )
    directories = rel.parts[:-1]
    bad = [d for d in directories if not _SEGMENT.match(d)]
    for directory in bad:
        add(
            "P8-path-segment",
            f"The folder name '{directory}' may only use lower-case letters, digits and underscores "
            "(for example 'black_capped_chickadee').",
        )
    if len(rel.parts) < 4:
        add(
            "P8-path-depth",
            f"'{rel}' must sit inside at least one category folder, for example "
            f"{rel.parts[0]}/<category>/<topic>/qna.yaml.",
        )
    return issues


def path_kind_issues(path: str, contents: dict | None) -> list[Issue]:
    """Knowledge content (a ``document`` section) may only live under knowledge/ (strict mode)."""
    rel = taxonomy_relative(path)
    if (
        rel is None
        or not isinstance(contents, dict)
        or "document" not in contents
        or rel.parts[0] == "knowledge"
    ):
        return []
    return [
        Issue(
            rule="P8-path-kind",
            severity="error",
            message="This file has a 'document' section, so it is a knowledge contribution; "
            "knowledge files belong under knowledge/, not compositional_skills/.",
        )
    ]
