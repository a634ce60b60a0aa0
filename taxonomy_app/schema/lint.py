"""yamllint through its Python API, configured as the reference configures the ``yamllint`` command."""

from __future__ import annotations

import functools
import re
import threading

from yamllint import linter
from yamllint.config import YamlLintConfig

from .types import Issue

DEFAULT_YAMLLINT_CONFIG = "{extends: relaxed, rules: {line-length: disable}}"

_DISABLE_FILE = re.compile(r"^#\s*yamllint disable-file\s*$")
_lock = threading.Lock()


@functools.cache
def _config(text: str) -> YamlLintConfig:
    return YamlLintConfig(text)


def config(text: str = DEFAULT_YAMLLINT_CONFIG) -> YamlLintConfig:
    with _lock:
        return _config(text)


def problems(text: str, *, config_text: str = DEFAULT_YAMLLINT_CONFIG) -> list:
    """yamllint's problems for ``text``, which is known to parse as YAML.

    ``yamllint -`` would also re-parse the text only to report syntax errors; the caller has already
    parsed it successfully, so that pass is skipped and only the rule checks run.
    """
    conf = config(config_text)
    cosmetic = getattr(linter, "get_cosmetic_problems", None)
    if cosmetic is None:  # pragma: no cover - older/newer yamllint layouts
        return list(linter.run(text, conf))
    if _DISABLE_FILE.match(text.split("\n", 1)[0]):
        return []
    return list(cosmetic(text, conf, None))


def _key_from(desc: str) -> str | None:
    match = re.search(r'key "(.*)"', desc)
    return match.group(1) if match else None


def _plain(problem) -> str:
    rule = problem.rule
    desc = problem.desc
    if rule == "trailing-spaces":
        return "This line ends with spaces; remove them."
    if rule == "new-line-at-end-of-file":
        return "The file must end with a line break after the last line."
    if rule == "new-lines":
        return f"Wrong line break characters: {desc}. Save the file with plain (Unix, LF) line breaks."
    if rule == "key-duplicates":
        key = _key_from(desc)
        if key is not None:
            return f'The key "{key}" appears more than once in the same section; keep only one.'
        return f"A key appears more than once in the same section: {desc}."
    if rule == "empty-lines":
        return f"Too many blank lines here: {desc}."
    if rule == "indentation":
        return f"Indentation problem: {desc}. Indent with 2 spaces per level."
    if rule in ("hyphens", "colons", "commas", "braces", "brackets"):
        return f"Spacing problem: {desc}."
    if rule == "anchors":
        return f"Anchor/alias problem: {desc}."
    if rule is None and desc.startswith("syntax error"):
        return f"The YAML cannot be read here: {desc.removeprefix('syntax error: ')}."
    return desc[:1].upper() + desc[1:] + "."


def lint_issues(text: str, *, strict: bool) -> list[Issue]:
    """One Issue per yamllint problem; ``strict`` turns yamllint warnings into errors (as ilab does)."""
    issues = []
    for problem in problems(text):
        severity = "error" if strict or problem.level == "error" else "warning"
        rule = problem.rule or "syntax"
        issues.append(
            Issue(
                rule=f"lint-{rule}",
                message=_plain(problem),
                line=problem.line,
                column=problem.column,
                yaml_path=None,
                severity=severity,
                detail=problem.message,
            )
        )
    return issues
