"""Editing a git tree in memory, then writing only the directories that changed (bottom-up).

Directories are loaded lazily, only along the changed paths, and untouched subtrees keep their object id,
so the cost of a commit depends on the number and depth of changed paths, not on the repository size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .errors import PathNotFound, PathRejected

TREE_MODE = "040000"
FILE_MODE = "100644"
EXECUTABLE_MODE = "100755"


@dataclass
class Entry:
    mode: str
    kind: str  # "blob", "tree" or "commit" (a submodule link)
    sha: str | None  # None for a directory created in memory and not written yet
    node: Node | None = None


@dataclass
class Node:
    entries: dict[str, Entry] = field(default_factory=dict)
    dirty: bool = False


LoadTree = Callable[[str], dict[str, Entry]]
TreeRows = Sequence[tuple[str, str, str, str]]  # (mode, kind, object id, name)
MakeTrees = Callable[[Sequence[TreeRows]], list[str]]


class TreeEditor:
    def __init__(self, load_tree: LoadTree, base_tree: str | None) -> None:
        self._load_tree = load_tree
        self._base_tree = base_tree
        self._root = Node(load_tree(base_tree) if base_tree else {})

    def _child(self, entry: Entry) -> Node:
        if entry.node is None:
            entry.node = Node(self._load_tree(entry.sha))
        return entry.node

    def delete(self, path: str) -> None:
        """Remove a file, or a whole directory, at `path`."""
        *directories, name = path.split("/")
        chain = [self._root]
        for component in directories:
            entry = chain[-1].entries.get(component)
            if entry is None or entry.kind != "tree":
                raise PathNotFound(f"cannot delete {path!r}: it does not exist")
            chain.append(self._child(entry))
        if name not in chain[-1].entries:
            raise PathNotFound(f"cannot delete {path!r}: it does not exist")
        del chain[-1].entries[name]
        for node in chain:
            node.dirty = True

    def write(self, path: str, blob_sha: str, *, executable: bool | None = None) -> None:
        """Store a blob at `path`, creating directories; unless told, a replaced file keeps its mode."""
        *directories, name = path.split("/")
        chain = [self._root]
        for depth, component in enumerate(directories):
            entry = chain[-1].entries.get(component)
            if entry is None:
                entry = Entry(TREE_MODE, "tree", None, Node())
                chain[-1].entries[component] = entry
            elif entry.kind != "tree":
                blocking = "/".join(directories[: depth + 1])
                raise PathRejected(f"cannot write {path!r}: {blocking!r} is a file, not a directory")
            chain.append(self._child(entry))
        existing = chain[-1].entries.get(name)
        if existing is not None and existing.kind == "tree":
            raise PathRejected(f"cannot write {path!r}: it is a directory")
        if executable is None:
            executable = existing is not None and existing.mode == EXECUTABLE_MODE
        chain[-1].entries[name] = Entry(EXECUTABLE_MODE if executable else FILE_MODE, "blob", blob_sha)
        for node in chain:
            node.dirty = True

    def write_trees(self, make_trees: MakeTrees) -> str:
        """Write every changed directory and return the root tree id.

        Directories are written level by level, deepest first: a level's trees only depend on the level below,
        so each level can go to git as one batch instead of one round trip per directory.
        """
        if not self._root.dirty and self._base_tree:
            return self._base_tree
        levels: list[list[Node]] = []
        pending = [(self._root, 0)]
        while pending:
            node, depth = pending.pop()
            if depth == len(levels):
                levels.append([])
            levels[depth].append(node)
            pending.extend(
                (entry.node, depth + 1)
                for entry in node.entries.values()
                if entry.node is not None and entry.node.dirty
            )
        written: dict[int, str | None] = {}
        for level in reversed(levels):
            batch_nodes, batch_rows = [], []
            for node in level:
                rows = self._rows(node, written)
                if rows or node is self._root:
                    batch_nodes.append(node)
                    batch_rows.append(rows)
                else:  # git has no empty directories: the last file went, so does the directory
                    written[id(node)] = None
            written.update(zip(map(id, batch_nodes), make_trees(batch_rows), strict=True))
        for level in levels:
            for node in level:
                node.dirty = False
        return written[id(self._root)]

    @staticmethod
    def _rows(node: Node, written: dict[int, str | None]) -> list[tuple[str, str, str, str]]:
        rows = []
        for name, entry in list(node.entries.items()):
            if entry.node is not None and entry.node.dirty:
                sha = written[id(entry.node)]
                if sha is None:
                    del node.entries[name]
                    continue
                entry.sha = sha
            rows.append((entry.mode, entry.kind, entry.sha, name))
        return rows
