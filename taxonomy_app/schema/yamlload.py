"""Reading qna.yaml bytes the way the reference does, but safely and with node positions.

The reference reads the file as UTF-8 text (Python text mode, so CR/CRLF become LF) and calls
``yaml.safe_load``. We do the same steps separately so that we can

* refuse oversized input before decoding it,
* name the line and column of the first byte that is not UTF-8,
* compose the node graph *iteratively* from PyYAML's parser events (PyYAML's own composer recurses once
  per nesting level, so 10,000 nested brackets end in RecursionError), measuring depth, collection sizes
  and how much alias references would expand *before* anything is constructed or validated,
* keep the composed nodes, whose start marks give every later issue its real line and column.

The pure-Python PyYAML parser is used on purpose: the C parser accepts and rejects slightly different
documents, and our verdicts must equal the reference's.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.error import MarkedYAMLError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from .limits import Limits

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"


class ReadRefused(Exception):
    """The input cannot be read; carries the issue to report."""

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.column = column
        self.detail = detail


@dataclass
class Decoded:
    text: str
    had_bom: bool
    had_cr: bool


def byte_length(data: bytes | str) -> int:
    if isinstance(data, bytes):
        return len(data)
    return len(data.encode("utf-8", "surrogatepass"))


def check_size(data: bytes | str, limit: int) -> None:
    size = len(data) if isinstance(data, bytes) or len(data) > limit else byte_length(data)
    if size > limit:
        raise ReadRefused(
            "limit-file-size",
            f"The file is too large to check: {_human_size(size)}, and the limit is {_human_size(limit)}. "
            "A qna.yaml holds a handful of examples; the largest in the InstructLab taxonomy is under 40 KB.",
        )


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"


_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode(data: bytes | str) -> Decoded:
    """UTF-8 bytes (or text) -> text without BOM and with LF line endings, like Python's text mode."""
    had_bom = False
    if isinstance(data, bytes):
        if data.startswith(codecs.BOM_UTF8):
            had_bom = True
            data = data[len(codecs.BOM_UTF8) :]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _decode_refusal(data, exc) from None
    else:
        text = data
        if text.startswith("\ufeff"):
            had_bom = True
            text = text[1:]
    had_cr = "\r" in text
    if had_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text=text, had_bom=had_bom, had_cr=had_cr)


def _decode_refusal(data: bytes, exc: UnicodeDecodeError) -> ReadRefused:
    for bom, name in _OTHER_BOMS:
        if data.startswith(bom):
            return ReadRefused(
                "R3-encoding",
                f"The file is saved as {name} text, but qna.yaml must be UTF-8. Save it again as UTF-8.",
                line=1,
                column=1,
                detail=str(exc),
            )
    start = exc.start
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    bad = data[start : exc.end]
    if b"\x00" in data[:4096] or _looks_binary(data[:4096]):
        what = "This looks like a binary file, not text."
    else:
        what = (
            "This usually means the file was saved in another encoding (such as Latin-1 or Windows-1252); "
            "save it again as UTF-8."
        )
    return ReadRefused(
        "R3-encoding",
        f"The file is not valid UTF-8 text: the byte 0x{bad[:1].hex().upper()} "
        f"at line {line}, column {column} cannot be read. {what}",
        line=line,
        column=column,
        detail=str(exc),
    )


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls * 10 > len(sample)


def new_loader(text: str) -> yaml.SafeLoader:
    try:
        return yaml.SafeLoader(text)
    except ReaderError as exc:
        raise _reader_refusal(text, exc) from None


def _reader_refusal(text: str, exc: ReaderError) -> ReadRefused:
    position = exc.position
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    name = "NUL" if code == 0 else f"U+{code:04X}"
    return ReadRefused(
        "R4-bad-character",
        f"The file contains a character that YAML does not allow ({name}) at line {line}, column {column}. "
        "The file may be binary or damaged; remove that character.",
        line=line,
        column=column,
        detail=str(exc),
    )


class _Frame:
    __slots__ = ("node", "key", "size")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.key: Node | None = None
        self.size = 1


def compose(loader: yaml.SafeLoader, text: str, limits: Limits) -> Node | None:
    """Build the single document's node graph from parser events, without recursion.

    Mirrors ``Composer.get_single_node`` (same tags, same anchor/alias rules, same errors) and refuses
    documents that nest deeper than ``limits.max_depth``, hold longer collections than
    ``limits.max_collection_items``, expand aliases by more than ``limits.max_alias_nodes`` nodes, or
    contain an alias that refers to one of its own ancestors.
    """
    try:
        return _compose(loader, limits)
    except ReadRefused:
        raise
    except ReaderError as exc:
        raise _reader_refusal(text, exc) from None
    except MarkedYAMLError as exc:
        raise syntax_refusal(exc) from None
    except Exception as exc:  # noqa: BLE001 - e.g. ValueError for a "\U" escape beyond Unicode
        mark = loader.get_mark() if hasattr(loader, "get_mark") else None
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        where = f" (near line {line}, column {column})" if mark else ""
        raise ReadRefused(
            "R4-yaml-syntax",
            f"The file is not valid YAML{where}: {exc}.",
            line=line,
            column=column,
            detail=f"{type(exc).__name__}: {exc}",
        ) from None


USE_LIBYAML = True
"""Parse with libyaml when PyYAML has it and the text has none of the constructs where libyaml and the
pure-Python parser (the reference's) are known to disagree. Any libyaml failure is re-checked with the
pure-Python parser, so errors are always the reference parser's. Both give identical events and marks
otherwise (tests/schema/test_yaml_parsers.py compares them on the corpus and on thousands of mutants)."""

_C_LOADER = getattr(yaml, "CSafeLoader", None)
_LIBYAML_RISKS = re.compile(
    r"[\t\ufeff\x85\u2028\u2029]"  # tabs, inner BOM, YAML 1.1 line-break characters
    r"|[|>][-+0-9]*#"  # a block scalar indicator touching a comment
    r"|^%",  # directives
    re.M,
)


def libyaml_suitable(text: str) -> bool:
    return (
        USE_LIBYAML
        and _C_LOADER is not None
        and not _LIBYAML_RISKS.search(text)
        and not yaml.reader.Reader.NON_PRINTABLE.search(text)
    )


def parse(text: str, limits: Limits) -> tuple[yaml.SafeLoader, Node | None]:
    """(loader, root node) for ``text``; raises ReadRefused like ``compose``."""
    if libyaml_suitable(text):
        try:
            loader = _C_LOADER(text)
            return loader, _compose(loader, limits)
        except Exception:  # noqa: BLE001, S110 - fall through: the pure parser gives the reference's verdict
            pass
    loader = new_loader(text)
    return loader, compose(loader, text, limits)


def _compose(loader: yaml.SafeLoader, limits: Limits) -> Node | None:
    loader.get_event()  # stream start
    root: Node | None = None
    if not loader.check_event(StreamEndEvent):
        loader.get_event()  # document start
        root = _compose_document(loader, limits)
        loader.get_event()  # document end
    if not loader.check_event(StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            root.start_mark if root else None,
            "but found another document",
            event.start_mark,
        )
    loader.get_event()  # stream end
    return root


def _compose_document(loader: yaml.SafeLoader, limits: Limits) -> Node:
    anchors: dict[str, Node] = {}
    sizes: dict[int, int] = {}
    stack: list[_Frame] = []
    alias_nodes = 0
    while True:
        event = loader.get_event()
        if isinstance(event, AliasEvent):
            node = anchors.get(event.anchor)
            if node is None:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            size = sizes.get(id(node))
            if size is None:
                raise ReadRefused(
                    "limit-recursive-alias",
                    f"The alias *{event.anchor} at line {event.start_mark.line + 1} refers to a list or "
                    "mapping "
                    "that contains it, which would make the content infinitely deep. Write the content out "
                    "instead of using that alias.",
                    line=event.start_mark.line + 1,
                    column=event.start_mark.column + 1,
                )
            alias_nodes += size
            if alias_nodes > limits.max_alias_nodes:
                raise ReadRefused(
                    "limit-alias-expansion",
                    "The file uses aliases (*name) that would expand into more than "
                    f'{limits.max_alias_nodes:,} extra values (a so-called "billion laughs" file). '
                    "Write the content out instead of repeating it through aliases.",
                    line=event.start_mark.line + 1,
                    column=event.start_mark.column + 1,
                )
            completed, completed_size = node, size
        elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
            frame = stack.pop()
            frame.node.end_mark = event.end_mark
            sizes[id(frame.node)] = frame.size
            completed, completed_size = frame.node, frame.size
        else:
            anchor = event.anchor
            if anchor is not None and anchor in anchors:
                raise yaml.composer.ComposerError(
                    f"found duplicate anchor {anchor!r}; first occurrence",
                    anchors[anchor].start_mark,
                    "second occurrence",
                    event.start_mark,
                )
            if isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(ScalarNode, event.value, event.implicit)
                # libyaml reports plain scalars with style "", the pure parser with None
                node = ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style or None
                )
                if anchor is not None:
                    anchors[anchor] = node
                sizes[id(node)] = 1
                completed, completed_size = node, 1
            elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
                kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(kind, None, event.implicit)
                node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if anchor is not None:
                    anchors[anchor] = node
                stack.append(_Frame(node))
                if len(stack) > limits.max_depth:
                    raise ReadRefused(
                        "limit-nesting-depth",
                        f"The file nests lists or mappings more than {limits.max_depth} levels deep "
                        f"(at line {event.start_mark.line + 1}). A qna.yaml needs only a few levels.",
                        line=event.start_mark.line + 1,
                        column=event.start_mark.column + 1,
                    )
                continue
            else:  # pragma: no cover - the parser only emits the events above inside a document
                raise yaml.composer.ComposerError(None, None, f"unexpected {event!r}", event.start_mark)

        if not stack:
            return completed
        parent = stack[-1]
        parent.size += completed_size
        if isinstance(parent.node, SequenceNode):
            parent.node.value.append(completed)
        elif parent.key is None:
            parent.key = completed
            continue
        else:
            parent.node.value.append((parent.key, completed))
            parent.key = None
        if len(parent.node.value) > limits.max_collection_items:
            what = "list" if isinstance(parent.node, SequenceNode) else "mapping"
            mark = parent.node.start_mark
            raise ReadRefused(
                "limit-collection-size",
                f"The {what} starting at line {mark.line + 1} has more than "
                f"{limits.max_collection_items:,} entries, far more than a qna.yaml can use.",
                line=mark.line + 1,
                column=mark.column + 1,
            )


_SYNTAX_HINTS = {
    "mapping values are not allowed here": (
        "A common cause is a colon followed by a space inside text that is not in quotes; "
        "put that text in quotes or use a block (|) for it."
    ),
    "found character '\\t' that cannot start any token": (
        "YAML does not allow tabs for indentation; use spaces."
    ),
    "could not find expected ':'": "A line may be missing its 'key:' part, or a quote may not be closed.",
    "found undefined alias": "Aliases (*name) must refer to an anchor (&name) defined earlier.",
    "expected a single document in the stream": (
        "The file must hold a single YAML document; remove the extra '---'."
    ),
}


def syntax_refusal(exc: MarkedYAMLError) -> ReadRefused:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = exc.problem or "the YAML cannot be read"
    if exc.context and exc.problem:
        problem = (
            f"{exc.problem} ({exc.context})"
            if exc.context.startswith("while")
            else f"{exc.context}, {exc.problem}"
        )
    elif exc.context:
        problem = exc.context
    where = f" (line {line}, column {column})" if line else ""
    hint = next((text for key, text in _SYNTAX_HINTS.items() if key in problem), "")
    message = f"The file is not valid YAML{where}: {problem}." + (f" {hint}" if hint else "")
    return ReadRefused("R4-yaml-syntax", message, line=line, column=column, detail=str(exc))


def construct(loader: yaml.SafeLoader, root: Node) -> Any:
    """Python values for the node graph, as ``yaml.safe_load`` would return them."""
    try:
        return loader.construct_document(root)
    except Exception as exc:  # noqa: BLE001 - every constructor failure is a "cannot read this YAML" verdict
        raise _construct_refusal(loader, root, exc) from None


def _construct_refusal(loader: yaml.SafeLoader, root: Node, exc: Exception) -> ReadRefused:
    if isinstance(exc, MarkedYAMLError) and (exc.problem_mark or exc.context_mark):
        return syntax_refusal(exc)
    culprit = _failing_scalar(loader, root)
    line = culprit.start_mark.line + 1 if culprit else None
    column = culprit.start_mark.column + 1 if culprit else None
    value = f" '{_excerpt(culprit.value)}'" if culprit else ""
    where = f" at line {line}, column {column}" if culprit else ""
    return ReadRefused(
        "R4-yaml-syntax",
        f"The value{value}{where} cannot be read: {exc}. If it is meant as text, put it in quotes.",
        line=line,
        column=column,
        detail=f"{type(exc).__name__}: {exc}",
    )


def _excerpt(value: str, limit: int = 60) -> str:
    """A long value quoted in a message is shown by its start and its length."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value):,} characters)"


def _failing_scalar(loader: yaml.SafeLoader, root: Node) -> ScalarNode | None:
    """The first typed scalar (date, number, ...) whose construction fails."""
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag in (STR_TAG, NULL_TAG):
                continue
            try:
                loader.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - looking for the node that fails
                return node
            finally:
                loader.constructed_objects = {}
                loader.recursive_objects = {}
        elif isinstance(node, SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                pending.extend((value, key))
    return None


class NodeIndex:
    """Finds the YAML node (and so the line/column) for a path of keys and indexes into the contents."""

    def __init__(self, loader: yaml.SafeLoader, root: Node) -> None:
        self._loader = loader
        self.root = root
        self._mappings: dict[int, dict[Any, tuple[Node, Node]]] = {}

    def _key_value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode) and node.tag == STR_TAG:
            return node.value
        try:
            return self._loader.construct_object(node, deep=True)
        except Exception:  # noqa: BLE001 - an unhashable or odd key simply never matches
            return _Unmatchable
        finally:
            self._loader.constructed_objects = {}
            self._loader.recursive_objects = {}

    def _pairs(self, node: MappingNode) -> dict[Any, tuple[Node, Node]]:
        table = self._mappings.get(id(node))
        if table is None:
            table = {}
            for key_node, value_node in node.value:
                key = self._key_value(key_node)
                try:
                    table[key] = (key_node, value_node)  # the last duplicate wins, as in safe_load
                except TypeError:
                    continue
            self._mappings[id(node)] = table
        return table

    def find(self, path: tuple | list) -> tuple[Node | None, Node | None, int]:
        """(key node, value node, how many path elements were matched) for ``path``."""
        key_node: Node | None = None
        node: Node | None = self.root
        matched = 0
        for element in path:
            if isinstance(node, MappingNode):
                try:
                    pair = self._pairs(node).get(element)
                except TypeError:
                    pair = None
                if pair is None:
                    break
                key_node, node = pair
            elif (
                isinstance(node, SequenceNode) and isinstance(element, int) and 0 <= element < len(node.value)
            ):
                key_node, node = None, node.value[element]
            else:
                break
            matched += 1
        return key_node, node, matched

    def position(self, path: tuple | list, *, prefer: str = "value") -> tuple[int | None, int | None]:
        """1-based (line, column) for the node at ``path``.

        prefer="value": the value itself when it is a written-out scalar, otherwise its key (an empty value
        or a whole list/mapping is best shown at the ``key:`` line). prefer="key": the key when there is one.
        prefer="container": the start of the value node (used for "missing key" errors on a mapping).
        When the path cannot be followed all the way, the deepest node reached is used.
        """
        key_node, node, matched = self.find(path)
        if node is None:
            return None, None
        target: Node = node
        if matched == len(path) and key_node is not None:
            if prefer == "key":
                target = key_node
            elif prefer == "value" and not _is_written_scalar(node):
                target = key_node
        elif matched < len(path) and key_node is not None and prefer != "container":
            target = key_node
        mark = target.start_mark
        return mark.line + 1, mark.column + 1

    def scalar_source(self, path: tuple | list) -> str | None:
        """The text of the scalar as written in the file (e.g. ``Yes`` for a value read as True)."""
        _, node, matched = self.find(path)
        if matched == len(path) and isinstance(node, ScalarNode):
            return node.value
        return None


class _Unmatchable:
    pass


def _is_written_scalar(node: Node) -> bool:
    if not isinstance(node, ScalarNode):
        return False
    return bool(node.value) or node.style is not None
