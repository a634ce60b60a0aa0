"""LabWeb's own policy for new contributions (strict mode), on top of the upstream rules.

These are the checks the InstructLab UI and the SDG pipeline apply or rely on but the JSON schema does not
express: duplicates, blank text, word limits, consistent seed types, document patterns and full commit ids.
All functions are tolerant of malformed contents: the schema reports shape problems, these only look at
what is there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .messages import where, yaml_path
from .types import Issue
from .yamlload import NodeIndex

REQUIRED_VERSION = 3
MAX_CONTEXT_WORDS = 500
MAX_QNA_WORDS = 250
MAX_SEED_WORDS = 750
SDG_QNA_PER_CONTEXT = 3
DOCUMENT_SUFFIXES = (".md", ".pdf")
_FULL_SHA = re.compile(r"^[0-9a-fA-F]{40}$")


def words(text: Any) -> int:
    return len(text.split()) if isinstance(text, str) else 0


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _Checker:
    def __init__(self, contents: Mapping, index: NodeIndex, kind: str) -> None:
        self.contents = contents
        self.index = index
        self.kind = kind
        self.issues: list[Issue] = []

    def add(
        self, rule: str, message: str, path: list, *, severity: str = "error", prefer: str = "value"
    ) -> None:
        line, column = self.index.position(path, prefer=prefer)
        self.issues.append(
            Issue(
                rule=rule,
                message=message,
                line=line,
                column=column,
                yaml_path=yaml_path(path),
                severity=severity,
            )
        )

    def seeds(self) -> list[tuple[int, Mapping]]:
        seeds = self.contents.get("seed_examples")
        if not isinstance(seeds, list):
            return []
        return [(i, seed) for i, seed in enumerate(seeds) if isinstance(seed, Mapping)]

    @staticmethod
    def pairs(seed: Mapping) -> list[tuple[int, Mapping]]:
        pairs = seed.get("questions_and_answers")
        if not isinstance(pairs, list):
            return []
        return [(j, pair) for j, pair in enumerate(pairs) if isinstance(pair, Mapping)]


def policy_issues(
    contents: Mapping, *, index: NodeIndex, kind: str, schema_flagged_version: bool
) -> list[Issue]:
    check = _Checker(contents, index, kind)
    _version(check, schema_flagged_version)
    _blank_text(check)
    if kind == "knowledge":
        _knowledge_duplicates(check)
        _knowledge_words(check)
        _knowledge_qna_count(check)
    else:
        _skill_duplicates(check)
        _skill_words(check)
        _mixed_seeds(check)
    _document(check)
    return check.issues


def _version(check: _Checker, schema_flagged: bool) -> None:
    version = check.contents.get("version")
    if schema_flagged or "version" not in check.contents:
        return
    if type(version) is not int or version != REQUIRED_VERSION:
        source = check.index.scalar_source(["version"]) or repr(version)
        check.add(
            "P1-version",
            f"The version must be written as the whole number {REQUIRED_VERSION}, but it is {source}.",
            ["version"],
        )


def _walk_strings(value: Any, path: list) -> Iterator[tuple[list, str]]:
    pending: list[tuple[Any, list]] = [(value, path)]
    while pending:
        current, where = pending.pop()
        if isinstance(current, str):
            yield where, current
        elif isinstance(current, Mapping):
            pending.extend((v, [*where, k]) for k, v in reversed(list(current.items())))
        elif isinstance(current, list):
            pending.extend((v, [*where, i]) for i, v in reversed(list(enumerate(current))))


def _blank_text(check: _Checker) -> None:
    for path, text in _walk_strings(check.contents, []):
        if text and not text.strip():
            check.add(
                "P4-blank-text", f"{where(path)} contains only spaces or line breaks; write some text.", path
            )


def _numbers(indexes: list[int]) -> str:
    shown = [str(i + 1) for i in indexes]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _skill_duplicates(check: _Checker) -> None:
    seen: dict[tuple[str, str], list[int]] = {}
    for i, seed in check.seeds():
        question = _text(seed.get("question"))
        if not question or not question.strip():
            continue
        context = (_text(seed.get("context")) or "").strip()
        seen.setdefault((context, question.strip()), []).append(i)
    for (context, question), indexes in seen.items():
        if len(indexes) < 2:
            continue
        same = " with the same context" if context else ""
        check.add(
            "P2-duplicate-question",
            f'Seed examples {_numbers(indexes)} ask the same question{same}: "{_short(question)}". '
            "Each seed example should teach something different.",
            ["seed_examples", indexes[1], "question"],
        )


def _knowledge_duplicates(check: _Checker) -> None:
    contexts: dict[str, list[int]] = {}
    for i, seed in check.seeds():
        context = _text(seed.get("context"))
        if context and context.strip():
            contexts.setdefault(context.strip(), []).append(i)
        questions: dict[str, list[int]] = {}
        for j, pair in check.pairs(seed):
            question = _text(pair.get("question"))
            if question and question.strip():
                questions.setdefault(question.strip(), []).append(j)
        for question, pair_indexes in questions.items():
            if len(pair_indexes) > 1:
                check.add(
                    "P2-duplicate-question",
                    f"Seed example {i + 1} asks the same question more than once (questions "
                    f'{_numbers(pair_indexes)}): "{_short(question)}".',
                    ["seed_examples", i, "questions_and_answers", pair_indexes[1], "question"],
                )
    for indexes in contexts.values():
        if len(indexes) > 1:
            check.add(
                "P2-duplicate-context",
                f"Seed examples {_numbers(indexes)} use the same context; "
                "each seed example needs its own excerpt of the document.",
                ["seed_examples", indexes[1], "context"],
            )


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _word_checks(check: _Checker, i: int, context_words: int, qna_words: int, *, hard_limit: bool) -> None:
    seed = f"seed example {i + 1}"
    if context_words > MAX_CONTEXT_WORDS:
        check.add(
            "P3-word-limit",
            f"The context of {seed} has {context_words} words; keep it under {MAX_CONTEXT_WORDS} words "
            "so that the teacher model can use it.",
            ["seed_examples", i, "context"],
            severity="warning",
        )
    if qna_words > MAX_QNA_WORDS:
        check.add(
            "P3-word-limit",
            f"The questions and answers of {seed} have {qna_words} words together; keep them under "
            f"{MAX_QNA_WORDS} words.",
            ["seed_examples", i],
            severity="warning",
            prefer="container",
        )
    total = context_words + qna_words
    if total > MAX_SEED_WORDS:
        check.add(
            "P3-word-limit",
            f"{seed[0].upper() + seed[1:]} has {total} words in its context and questions and answers "
            f"together; the limit is {MAX_SEED_WORDS}. Shorten the context or the answers.",
            ["seed_examples", i],
            severity="error" if hard_limit else "warning",
            prefer="container",
        )


def _knowledge_words(check: _Checker) -> None:
    for i, seed in check.seeds():
        qna = sum(words(pair.get("question")) + words(pair.get("answer")) for _, pair in check.pairs(seed))
        _word_checks(check, i, words(seed.get("context")), qna, hard_limit=True)


def _skill_words(check: _Checker) -> None:
    for i, seed in check.seeds():
        qna = words(seed.get("question")) + words(seed.get("answer"))
        _word_checks(check, i, words(seed.get("context")), qna, hard_limit=False)


def _knowledge_qna_count(check: _Checker) -> None:
    for i, seed in check.seeds():
        pairs = seed.get("questions_and_answers")
        if isinstance(pairs, list) and len(pairs) > SDG_QNA_PER_CONTEXT:
            check.add(
                "P6-too-many-qna",
                f"Seed example {i + 1} has {len(pairs)} question-and-answer pairs; data generation only "
                f"uses the first {SDG_QNA_PER_CONTEXT}, so the others are ignored.",
                ["seed_examples", i, "questions_and_answers"],
                severity="warning",
            )


def _mixed_seeds(check: _Checker) -> None:
    grounded = [i for i, seed in check.seeds() if _text(seed.get("context")) and seed["context"].strip()]
    freeform = [i for i, seed in check.seeds() if i not in grounded]
    if grounded and freeform:
        with_context = (
            f"Seed example {_numbers(grounded)} has"
            if len(grounded) == 1
            else f"Seed examples {_numbers(grounded)} have"
        )
        without = f"{_numbers(freeform)} does not" if len(freeform) == 1 else f"{_numbers(freeform)} do not"
        check.add(
            "P5-mixed-seeds",
            f"{with_context} a context but {without}. "
            "A skill must be either grounded (every example has a context) or freeform (none has); "
            "data generation picks one pipeline for the whole file.",
            ["seed_examples"],
            prefer="key",
        )


def _document(check: _Checker) -> None:
    document = check.contents.get("document")
    if not isinstance(document, Mapping):
        return
    commit = document.get("commit")
    if isinstance(commit, str) and commit.strip() and not _FULL_SHA.match(commit):
        check.add(
            "P7-commit-sha",
            f"The document commit must be the full 40-character commit id, but it is '{commit}'.",
            ["document", "commit"],
        )
    patterns = document.get("patterns")
    if not isinstance(patterns, list):
        return
    suffixes: dict[str, list[int]] = {}
    for k, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern.strip():
            continue
        suffix = next((s for s in DOCUMENT_SUFFIXES if pattern.endswith(s)), None)
        if suffix is None:
            check.add(
                "R18-document-type",
                f"File pattern {k + 1} ('{pattern}') must end in .md or .pdf (lower case): "
                "only Markdown and PDF documents can be used.",
                ["document", "patterns", k],
            )
        else:
            suffixes.setdefault(suffix, []).append(k)
    if len(suffixes) > 1:
        check.add(
            "R18-document-type",
            "The document patterns mix Markdown (.md) and PDF (.pdf) files; use one type per leaf.",
            ["document", "patterns"],
            prefer="key",
        )
