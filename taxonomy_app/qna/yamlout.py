"""Writing qna.yaml: a small, explicit emitter for the fixed shape of a version 3 file.

PyYAML's dumper is not used: its layout differs from the upstream files (sequences not indented under their
key, long lines folded at a width, styles that depend on the line width), and its choices are hard to pin
down. Here every decision is local and visible:

* Layout follows the upstream files: fixed key order, two spaces per level, sequences indented under their
  key (``seed_examples:`` / ``  - question: ...``), ``[]`` for an empty list, LF line endings, one final
  newline, never an empty document (``version: 3`` is always written).
* Each string gets the first style that reads back exactly (checked by the tests for thousands of
  generated strings):

  - **plain** for a single line that YAML reads as that same text: not empty, no leading/trailing space,
    not starting with an indicator (``-?:,[]{}#&*!|>'"%@```), no ``": "``, no ``" #"``, no final ``:``,
    only printable characters, and PyYAML's resolver says "string" (so ``Yes``, ``off``, ``~``, ``null``,
    ``3``, ``1:20``, ``2024-01-01``, ``.inf``, ``<<``, ``=`` are never plain), nor does another common
    reader see a number or boolean in it (``y``, ``n``, ``1e3``, ``0o17``), nor does it start with a
    document marker (``---``, ``...``);
  - **single quotes** for any other single line of printable characters (``''`` doubles a quote);
  - a **literal block** (``|`` / ``|-``, with the indentation indicator ``|2`` when the text starts with
    a space, tab or line break) for text with line breaks, when it has some non-blank line, no more than
    two blank lines in a row (yamllint's ``empty-lines``), at most one final line break and only printable
    characters and tabs;
  - **double quotes** with escapes for everything else (control characters, a byte-order mark, Unicode line
    separators, text ending in blank lines, only line breaks, ...).

* Text normalisation, applied to every string before writing (``normalize_text``): CRLF and CR become LF,
  and in text with line breaks each line loses its trailing spaces and tabs. Browsers send CRLF, and
  trailing spaces are the commonest reason real contributions fail yamllint (rule ``trailing-spaces`` is an
  error even in the relaxed profile). A single-line value keeps its leading and trailing spaces (it is
  quoted, so the file has none at a line end); the validator reports a blank value on its own (P4).
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from .model import KINDS, ContributionData, QuestionAnswer, Seed

VERSION = 3
INDENT = 2
_STR_TAG = "tag:yaml.org,2002:str"
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_resolver = Resolver()


def normalize_text(value: Any) -> str:
    """The text as it will read back from the file: LF line breaks, no trailing spaces in multi-line text.

    ``None`` becomes ``""``; other non-strings are converted with ``str()``.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return text


def _printable(ch: str) -> bool:
    # Python's printable set (no control, format, separator or unassigned characters except the space)
    # lies inside YAML's printable set, so such characters can be written as they are.
    return ch.isprintable()


# Read as non-strings by YAML 1.2 or by other YAML 1.1 readers (Go's yaml.v2 takes y/n as booleans)
# although PyYAML reads them as text; quoting them costs nothing and keeps every tool in agreement.
_OTHER_READERS = re.compile(
    r"^(?:[yYnN]"
    r"|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def _resolves_to_str(text: str) -> bool:
    return _resolver.resolve(ScalarNode, text, (True, False)) == _STR_TAG and not _OTHER_READERS.match(text)


def _plain_ok(text: str) -> bool:
    return (
        bool(text)
        and text[0] not in _INDICATORS
        and text[0] != " "
        and text[-1] != " "
        and not text.endswith(":")
        and not text.startswith(("---", "..."))
        and ": " not in text
        and " #" not in text
        and all(_printable(ch) for ch in text)
        and _resolves_to_str(text)
    )


def _literal_ok(text: str) -> bool:
    return (
        "\n" in text
        and text.strip("\n") != ""
        and not text.endswith("\n\n")
        and "\n\n\n\n" not in "\n" + text
        and all(ch in "\n\t" or _printable(ch) for ch in text)
    )


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\0": "\\0"}


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            code = ord(ch)
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


def render_scalar(text: str, column: int) -> tuple[str, list[str]]:
    """(what follows ``key: `` or ``- ``, the continuation lines) for a normalised string.

    ``column`` is where the owning key or dash starts; a literal block's lines are indented two more.
    """
    if "\n" not in text:
        if _plain_ok(text):
            return text, []
        if all(_printable(ch) for ch in text):
            return _single_quoted(text), []
        return _double_quoted(text), []
    if not _literal_ok(text):
        return _double_quoted(text), []
    header = "|"
    if text[0] in " \t\n":
        header += str(INDENT)
    if not text.endswith("\n"):
        header += "-"
    pad = " " * (column + INDENT)
    body = text[:-1] if text.endswith("\n") else text
    return header, [pad + line if line else "" for line in body.split("\n")]


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def scalar(self, column: int, lead: str, value: Any, *, key_column: int | None = None) -> None:
        """Write ``lead`` (``"key:"`` or ``"- "`` forms) at ``column`` followed by the value."""
        text = normalize_text(value)
        head, body = render_scalar(text, column if key_column is None else key_column)
        self.lines.append(" " * column + lead + " " + head)
        self.lines.extend(body)

    def key(self, column: int, name: str, value: Any) -> None:
        self.scalar(column, f"{name}:", value)

    def item_key(self, dash_column: int, name: str, value: Any) -> None:
        """The first key of a mapping that is a sequence item: ``- name: value``."""
        self.scalar(dash_column, f"- {name}:", value, key_column=dash_column + INDENT)

    def string_list(self, column: int, name: str, values: list) -> None:
        if not values:
            self.lines.append(" " * column + f"{name}: []")
            return
        self.lines.append(" " * column + f"{name}:")
        for value in values:
            self.scalar(column + INDENT, "-", value)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _skill_pair(seed: Seed) -> QuestionAnswer:
    return seed.pairs[0] if seed.pairs else QuestionAnswer()


def _seed_list(writer: _Writer, data: ContributionData) -> None:
    if not data.seeds:
        writer.lines.append("seed_examples: []")
        return
    writer.lines.append("seed_examples:")
    dash = INDENT
    inner = dash + INDENT
    for seed in data.seeds:
        if data.kind == "knowledge":
            writer.item_key(dash, "context", seed.context)
            if not seed.pairs:
                writer.lines.append(" " * inner + "questions_and_answers: []")
                continue
            writer.lines.append(" " * inner + "questions_and_answers:")
            pair_dash = inner + INDENT
            for pair in seed.pairs:
                writer.item_key(pair_dash, "question", pair.question)
                writer.key(pair_dash + INDENT, "answer", pair.answer)
        else:
            pair = _skill_pair(seed)
            if data.kind == "grounded_skill":
                writer.item_key(dash, "context", seed.context)
                writer.key(inner, "question", pair.question)
            else:
                writer.item_key(dash, "question", pair.question)
            writer.key(inner, "answer", pair.answer)


def to_qna_yaml(data: ContributionData) -> str:
    """The version 3 qna.yaml for ``data``, in upstream key order.

    Skill: version, task_description, created_by, seed_examples[{context (grounded only), question,
    answer}]; only each seed's first pair is used. Knowledge: version, domain, created_by,
    seed_examples[{context, questions_and_answers[{question, answer}]}], document_outline,
    document{repo, commit, patterns}. Every field is written even when empty (``''`` / ``[]``), and every
    seed, so that the validator's positions match the form's seed and pair numbers.
    """
    if data.kind not in KINDS:
        raise ValueError(f"unknown contribution kind {data.kind!r}; expected one of {', '.join(KINDS)}")
    writer = _Writer()
    writer.lines.append(f"version: {VERSION}")
    if data.kind == "knowledge":
        writer.key(0, "domain", data.domain)
        writer.key(0, "created_by", data.created_by)
        _seed_list(writer, data)
        writer.key(0, "document_outline", data.document_outline)
        document = data.document
        writer.lines.append("document:")
        writer.key(INDENT, "repo", document.repo if document else "")
        writer.key(INDENT, "commit", document.commit if document else "")
        writer.string_list(INDENT, "patterns", list(document.patterns) if document else [])
    else:
        writer.key(0, "task_description", data.task_description)
        writer.key(0, "created_by", data.created_by)
        _seed_list(writer, data)
    return writer.text()
