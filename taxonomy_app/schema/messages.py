"""Plain-language wording for schema errors, and locating them in the file.

Each jsonschema error becomes one Issue (an "unexpected keys" error becomes one Issue per key, each pointing
at that key). ``Issue.detail`` keeps the reference validator's wording (``Value must have at least N items``
for minItems, otherwise the full jsonschema message), so nothing of the upstream text is lost.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from typing import Any

from jsonschema.exceptions import ValidationError

from .schemas import property_names
from .types import Issue
from .yamlload import NodeIndex

_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")

FIELD_HINTS = {
    "version": "the format version; write 'version: 3'",
    "created_by": "the GitHub user name of the contributor",
    "task_description": "one or two sentences describing the skill",
    "domain": "a short subject area, such as the title of a book chapter",
    "document_outline": "a short summary of the source document",
    "seed_examples": "the list of examples",
    "document": "where the source document lives: repo, commit and patterns",
}

TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a group of named fields",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def yaml_path(path: Sequence[Any]) -> str:
    """A path like ``.seed_examples[2].answer`` (``.`` for the top level), written like the reference."""
    text = ""
    for element in path:
        if isinstance(element, int) and not isinstance(element, bool):
            text += f"[{element}]"
        elif isinstance(element, str) and _PLAIN_KEY.match(element):
            text += "." + element
        else:
            escaped = str(element).replace("\\", "\\\\").replace("'", "\\'")
            text += f"['{escaped}']"
    return text or "."


def _n(index: Any) -> str:
    return str(index + 1) if isinstance(index, int) else str(index)


def where(path: Sequence[Any]) -> str:
    """A noun phrase for the place ``path`` names, starting with a capital letter."""
    path = list(path)
    if not path:
        return "The file"
    head = path[0]
    if head == "seed_examples":
        if len(path) == 1:
            return "The list of seed examples"
        seed = f"seed example {_n(path[1])}"
        if len(path) == 2:
            return seed[0].upper() + seed[1:]
        field = path[2]
        if field == "questions_and_answers":
            if len(path) == 3:
                return f"The questions_and_answers list of {seed}"
            pair = f"question-and-answer pair {_n(path[3])} of {seed}"
            if len(path) == 4:
                return pair[0].upper() + pair[1:]
            if len(path) == 5:
                return f"The {path[4]} of {pair}"
        elif len(path) == 3:
            return f"The {field} of {seed}"
    elif head == "document":
        if len(path) == 1:
            return "The document section"
        if path[1] == "patterns":
            if len(path) == 2:
                return "The document's list of file patterns"
            if len(path) == 3:
                return f"File pattern {_n(path[2])} of the document"
        elif len(path) == 2:
            return f"The document's '{path[1]}'"
    elif len(path) == 1:
        return f"'{head}'"
    return f"The value at {yaml_path(path)}"


def describe_value(value: Any, source: str | None) -> str:
    shown = source if source is not None else repr(value)
    if value is None:
        return "empty (it has no value)"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()} (written as {shown})"
    if isinstance(value, (int, float)):
        return f"the number {shown}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {shown}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a group of named fields"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bytes):
        return "binary data"
    return f"a {type(value).__name__} value"


def _quote_hint(value: Any, source: str | None) -> str:
    if isinstance(value, (bool, int, float, datetime.date)) and source is not None:
        return f' Put it in quotes so that it is read as text, for example "{source}".'
    return ""


def upstream_text(error: ValidationError) -> str:
    """The reference's message for this error (it prints minItems its own way), untruncated."""
    if error.validator == "minItems":
        return f"Value must have at least {error.validator_value} items"
    return error.message


def schema_issues(error: ValidationError, *, index: NodeIndex, version: int, kind: str) -> list[Issue]:
    path = list(error.absolute_path)
    detail = upstream_text(error)
    keyword = error.validator
    if keyword == "unevaluatedProperties":
        issues = _unexpected_keys(error, path, index=index, version=version, kind=kind, detail=detail)
        if issues:
            return issues
    rule, message, prefer = _describe(error, path, index=index, version=version, kind=kind)
    line, column = index.position(path, prefer=prefer)
    return [
        Issue(
            rule=rule,
            message=message,
            line=line,
            column=column,
            yaml_path=yaml_path(path),
            severity="error",
            detail=detail,
        )
    ]


def _kind_word(kind: str) -> str:
    return "knowledge" if kind == "knowledge" else "skill"


def _unexpected_keys(
    error: ValidationError, path: list, *, index: NodeIndex, version: int, kind: str, detail: str
) -> list[Issue]:
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if not isinstance(instance, Mapping):
        return []
    allowed = property_names(version, schema)
    extras = [key for key in instance if key not in allowed]
    issues = []
    for key in extras:
        shown = key if isinstance(key, str) else repr(key)
        if not path:
            message = f"'{shown}' is not allowed in a version {version} {_kind_word(kind)} file."
            if kind == "knowledge" and key == "task_description" and version >= 3:
                message += (
                    " Version 3 knowledge files describe the source with 'document_outline' instead; "
                    "remove 'task_description'."
                )
            elif key not in FIELD_HINTS:
                message += " Check the spelling, or remove it."
        else:
            message = f"{where(path)} has a field that is not allowed: '{shown}'."
            if (
                kind == "knowledge"
                and len(path) == 2
                and path[0] == "seed_examples"
                and key in ("question", "answer")
            ):
                message += (
                    " In knowledge files each seed example has a 'context' and a "
                    "'questions_and_answers' list holding the questions and answers."
                )
            else:
                message += " Check the spelling, or remove it."
        line, column = index.position([*path, key], prefer="key")
        issues.append(
            Issue(
                rule="R10-unknown-key",
                message=message,
                line=line,
                column=column,
                yaml_path=yaml_path([*path, key]),
                severity="error",
                detail=detail,
            )
        )
    return issues


def _describe(
    error: ValidationError, path: list, *, index: NodeIndex, version: int, kind: str
) -> tuple[str, str, str]:
    """(rule id, message, location preference) for one schema error."""
    keyword = error.validator
    instance = error.instance
    place = where(path)
    if keyword == "required":
        missing = _missing_key(error)
        return "R9-missing-key", _missing_message(path, missing), "container"
    if keyword == "minItems":
        minimum = error.validator_value
        count = len(instance) if isinstance(instance, Sequence) else 0
        if path == ["seed_examples"]:
            return (
                "R12-too-few-seeds",
                f"This file needs at least {minimum} seed examples; it has {count}.",
                "value",
            )
        if len(path) == 3 and path[0] == "seed_examples" and path[2] == "questions_and_answers":
            return (
                "R13-too-few-qna",
                f"Seed example {_n(path[1])} needs at least {minimum} question-and-answer pairs; "
                f"it has {count}.",
                "value",
            )
        if path == ["document", "patterns"]:
            return (
                "R15-no-patterns",
                f'The document section needs at least {minimum} file pattern (such as "*.md"); '
                f"it has {count or 'none'}.",
                "value",
            )
        return "R12-too-few-items", f"{place} needs at least {minimum} entries; it has {count}.", "value"
    if keyword == "uniqueItems":
        return _duplicates(path, instance)
    if keyword == "minLength":
        return "R11-empty-text", f"{place} is empty; please fill it in.", "value"
    if keyword == "type":
        expected = error.validator_value
        expected_words = " or ".join(
            TYPE_WORDS.get(t, t) for t in (expected if isinstance(expected, list) else [expected])
        )
        source = index.scalar_source(path)
        if path == ["version"] and isinstance(instance, str):
            message = (
                f"The version must be the number {version} without quotes, but it is the text '{instance}'."
            )
        else:
            message = f"{place} must be {expected_words}, but it is {describe_value(instance, source)}." + (
                _quote_hint(instance, source) if expected == "string" else ""
            )
        return "R11-wrong-type", message, "value"
    if keyword == "const":
        if path == ["version"]:
            source = index.scalar_source(path)
            shown = source if source is not None else repr(instance)
            if isinstance(instance, str):
                shown = f"'{instance}' (in quotes, so it is text)"
            return (
                "R7-version-mismatch",
                f"The version must be {error.validator_value}, but this file says {shown}. "
                f"Only version {error.validator_value} files are accepted here.",
                "value",
            )
        return "R7-version-mismatch", f"{place} must be {error.validator_value!r}.", "value"
    return f"schema-{keyword}", f"{place}: {error.message}", "value"


def _missing_key(error: ValidationError) -> str:
    match = re.match(r"^(['\"])(.*)\1 is a required property$", error.message, re.S)
    if match:
        return match.group(2)
    required = error.validator_value if isinstance(error.validator_value, list) else []
    instance = error.instance if isinstance(error.instance, Mapping) else {}
    for key in required:
        if key not in instance:
            return key
    return str(error.validator_value)


def _missing_message(path: list, key: str) -> str:
    if not path:
        hint = FIELD_HINTS.get(key)
        return f"The file is missing the required field '{key}'" + (f" ({hint})." if hint else ".")
    if len(path) == 2 and path[0] == "seed_examples":
        if key in ("question", "answer", "context"):
            return f"Seed example {_n(path[1])} is missing its {key}."
        return f"Seed example {_n(path[1])} is missing its '{key}' list."
    if len(path) == 4 and path[0] == "seed_examples" and path[2] == "questions_and_answers":
        return f"Question-and-answer pair {_n(path[3])} of seed example {_n(path[1])} is missing its {key}."
    if path == ["document"]:
        return f"The document section is missing '{key}'."
    return f"{where(path)} is missing the required field '{key}'."


def canonical(value: Any) -> Any:
    """A hashable stand-in with JSON-Schema equality (true is not 1, 1 equals 1.0)."""
    if isinstance(value, bool):
        return ("bool", value)
    if value is None:
        return ("null",)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, Mapping):
        return ("map", frozenset((canonical(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(canonical(v) for v in value))
    return ("other", repr(value))


def duplicate_groups(items: Sequence[Any]) -> list[list[int]]:
    """Index groups (0-based) of equal items, in order of first occurrence."""
    groups: dict[Any, list[int]] = {}
    for position, item in enumerate(items):
        try:
            key = canonical(item)
            hash(key)
        except (TypeError, RecursionError):
            key = ("unhashable", position)
        groups.setdefault(key, []).append(position)
    return [group for group in groups.values() if len(group) > 1]


def _and_list(numbers: list[int]) -> str:
    shown = [str(n + 1) for n in numbers]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _duplicates(path: list, instance: Any) -> tuple[str, str, str]:
    groups = duplicate_groups(instance) if isinstance(instance, Sequence) else []
    if path == ["document", "patterns"]:
        if groups:
            parts = [f"'{instance[g[0]]}' (patterns {_and_list(g)})" for g in groups]
            return (
                "R15-duplicate-pattern",
                "The document lists the same file pattern more than once: " + "; ".join(parts) + ".",
                "value",
            )
        return "R15-duplicate-pattern", "The document lists the same file pattern more than once.", "value"
    if path == ["seed_examples"]:
        if groups:
            parts = [f"seed examples {_and_list(g)}" for g in groups]
            return (
                "R14-duplicate",
                "Some seed examples are identical (" + "; ".join(parts) + "); each one must be different.",
                "value",
            )
        return "R14-duplicate", "Some seed examples are identical; each one must be different.", "value"
    if len(path) == 3 and path[0] == "seed_examples" and path[2] == "questions_and_answers":
        if groups:
            parts = [f"pairs {_and_list(g)}" for g in groups]
            return (
                "R14-duplicate",
                f"Seed example {_n(path[1])} has identical question-and-answer pairs ("
                + "; ".join(parts)
                + "); each one must be different.",
                "value",
            )
        return (
            "R14-duplicate",
            f"Seed example {_n(path[1])} has identical question-and-answer pairs.",
            "value",
        )
    return "R14-duplicate", f"{where(path)} holds the same entry more than once.", "value"
