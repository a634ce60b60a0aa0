"""Value types shared by the validator: modes, issues, results and the document-check hook."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Severity = Literal["error", "warning"]


class ValidationMode(enum.StrEnum):
    """Which rule set to apply.

    ILAB   -- the verdict of ``ilab taxonomy diff`` / SDG (schema version taken from the file, strict lint).
    CI     -- the upstream taxonomy pull-request check (latest schema, lint warnings stay warnings,
              attribution.txt required).
    STRICT -- CI plus LabWeb's own policy checks for new contributions.
    """

    ILAB = "ilab"
    CI = "ci"
    STRICT = "strict"


@dataclass(frozen=True)
class Issue:
    """One problem found in a file.

    ``rule`` is a stable identifier (see docs/validator.md); ``message`` is written for people who do not
    know YAML or JSON Schema; ``detail`` keeps the wording the upstream tools would print, when there is one.
    ``line``/``column`` are 1-based and point at the YAML node concerned (None for whole-file issues).
    """

    rule: str
    message: str
    line: int | None = None
    column: int | None = None
    yaml_path: str | None = None
    severity: Severity = "error"
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "yaml_path": self.yaml_path,
        }


@dataclass
class ValidationResult:
    """The outcome of validating one qna.yaml.

    ``version`` is the schema version the file was checked against (in ci/strict mode always the latest,
    like the upstream CI); ``declared_version`` is what the file itself says (None when absent or unreadable).
    ``contents`` is the parsed top-level mapping, or None when the file could not be read as one.
    ``normalized_text`` is the decoded text without a byte-order mark and with LF line endings.
    """

    path: str
    mode: ValidationMode
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    contents: dict | None = None
    version: int | None = None
    normalized_text: str | None = None
    declared_version: Any = None
    taxonomy_path: str | None = None
    schema_kind: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def issues(self) -> list[Issue]:
        """Errors and warnings together, file-level issues first, then by position."""
        return sorted(self.errors + self.warnings, key=_position_key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }


def _position_key(issue: Issue) -> tuple[int, int]:
    return (issue.line or 0, issue.column or 0)


@runtime_checkable
class DocumentCheck(Protocol):
    """Checks a knowledge file's ``document`` block (clone, checkout, find .md/.pdf files: rules R17/R18).

    Called with the parsed ``document`` mapping; returns the issues found (an empty list when fine).
    """

    def __call__(self, document_block: dict) -> list[Issue]: ...
