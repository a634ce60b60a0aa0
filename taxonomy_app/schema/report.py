"""Printing validation results: plain text, JSON and GitHub Actions workflow commands."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .types import Issue, ValidationResult


def _where(path: str, issue: Issue) -> str:
    if issue.line is None:
        return path
    if issue.column is None:
        return f"{path}:{issue.line}"
    return f"{path}:{issue.line}:{issue.column}"


def format_text(results: Iterable[ValidationResult]) -> str:
    """One line per issue (``ERROR: path:line:col [rule] message``) and a closing summary line."""
    results = list(results)
    lines = []
    for result in results:
        for issue in result.issues:
            label = "ERROR" if issue.severity == "error" else "WARN"
            lines.append(f"{label}: {_where(result.path, issue)} [{issue.rule}] {issue.message}")
    invalid = sum(1 for r in results if not r.valid)
    errors = sum(len(r.errors) for r in results)
    warnings = sum(len(r.warnings) for r in results)
    files = "file" if len(results) == 1 else "files"
    lines.append(
        f"{len(results)} {files} checked: {len(results) - invalid} valid, {invalid} invalid "
        f"({errors} errors, {warnings} warnings)."
    )
    return "\n".join(lines) + "\n"


def _issue_data(issue: Issue) -> dict[str, Any]:
    return {"line": issue.line, "column": issue.column, "rule": issue.rule, "message": issue.message}


def to_data(results: Iterable[ValidationResult]) -> list[dict[str, Any]]:
    return [
        {
            "path": result.path,
            "valid": result.valid,
            "errors": [_issue_data(i) for i in result.errors],
            "warnings": [_issue_data(i) for i in result.warnings],
        }
        for result in results
    ]


def format_json(results: Iterable[ValidationResult]) -> str:
    """A JSON list of {"path", "valid", "errors": [{line, column, rule, message}], "warnings": [...]}."""
    return json.dumps(to_data(results), indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(results: Iterable[ValidationResult]) -> str:
    """GitHub Actions annotations: ``::error file=...,line=...,col=...::message``."""
    lines = []
    for result in results:
        for issue in result.issues:
            command = "error" if issue.severity == "error" else "warning"
            props = [f"file={_escape_property(result.path)}"]
            if issue.line is not None:
                props.append(f"line={issue.line}")
                if issue.column is not None:
                    props.append(f"col={issue.column}")
            props.append(f"title={_escape_property(issue.rule)}")
            lines.append(f"::{command} {','.join(props)}::{_escape_data(issue.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
