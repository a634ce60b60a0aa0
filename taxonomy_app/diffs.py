"""Side-by-side rows from a unified diff, for reviewers who compare two versions line by line.

Pure Python: takes the text `git diff` prints and pairs each run of removed lines with the run of added lines
that follows it, so a changed line appears on one row with the old text left and the new text right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$")


@dataclass
class Row:
    kind: str            # "same", "change", "del", "add" or "hunk"
    old_number: int | None = None
    old_text: str = ""
    new_number: int | None = None
    new_text: str = ""


@dataclass
class FileDiff:
    path: str
    rows: list[Row] = field(default_factory=list)


def side_by_side(unified: str) -> list[FileDiff]:
    files: list[FileDiff] = []
    current: FileDiff | None = None
    old_no = new_no = 0
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            left = removed[index] if index < len(removed) else (None, "")
            right = added[index] if index < len(added) else (None, "")
            kind = "change" if left[0] is not None and right[0] is not None else ("del" if right[0] is None else "add")
            current.rows.append(Row(kind, left[0], left[1], right[0], right[1]))
        removed.clear()
        added.clear()

    in_header = False
    for line in unified.splitlines():
        if line.startswith("diff "):
            if current is not None:
                flush()
            current = FileDiff(path=line.rsplit(" b/", 1)[-1] if " b/" in line else line[5:])
            files.append(current)
            in_header = True
            continue
        if current is None:
            continue
        hunk = _HUNK.match(line)
        if hunk:
            flush()
            in_header = False
            old_no, new_no = int(hunk[1]), int(hunk[2])
            current.rows.append(Row("hunk", old_text=hunk[3].strip()))
        elif in_header:
            continue
        elif line.startswith("-"):
            removed.append((old_no, line[1:]))
            old_no += 1
        elif line.startswith("+"):
            added.append((new_no, line[1:]))
            new_no += 1
        elif line.startswith("\\"):
            continue  # "\ No newline at end of file"
        else:
            flush()
            text = line[1:] if line.startswith(" ") else line
            current.rows.append(Row("same", old_no, text, new_no, text))
            old_no += 1
            new_no += 1
    if current is not None:
        flush()
    return files
