"""Resource limits that keep hostile input from exhausting memory, time or the Python stack.

Real qna.yaml files are tiny (the largest upstream file is 38 KB, nesting depth under 10, at most a few
dozen seed examples), so these bounds never touch legitimate content. The module constants are read at
call time, so changing them (or passing a ``Limits``) takes effect immediately.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_BYTES = 1024 * 1024
"""Files larger than this are refused before they are decoded or parsed."""

MAX_DEPTH = 64
"""Deepest allowed nesting of lists/mappings (PyYAML and jsonschema recurse per level)."""

MAX_ALIAS_NODES = 10_000
"""How many extra nodes alias references (``*name``) may add once expanded ("billion laughs" guard)."""

MAX_COLLECTION_ITEMS = 1_000
"""Longest allowed list or mapping: uniqueness checks and yamllint's duplicate-key rule are quadratic."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_depth: int
    max_alias_nodes: int
    max_collection_items: int

    @classmethod
    def default(cls, *, max_bytes: int | None = None) -> Limits:
        return cls(
            max_bytes=MAX_FILE_BYTES if max_bytes is None else max_bytes,
            max_depth=MAX_DEPTH,
            max_alias_nodes=MAX_ALIAS_NODES,
            max_collection_items=MAX_COLLECTION_ITEMS,
        )
