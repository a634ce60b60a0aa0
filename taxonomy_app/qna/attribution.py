"""attribution.txt in the upstream taxonomy's convention (its CONTRIBUTING.md and existing leaves).

Written as::

    Title of work: Black-capped chickadee
    Link to work: https://en.wikipedia.org/wiki/Black-capped_chickadee
    Revision: https://en.wikipedia.org/w/index.php?title=Black-capped_chickadee&oldid=1219937468
    License of the work: CC-BY-SA-4.0
    Creator names: Wikipedia Authors

``Revision:`` is written only when there is one (upstream skill leaves leave it out); the other four lines
are always written, empty values as ``Key:`` with nothing after the colon (no trailing space).
"""

from __future__ import annotations

import re

from .model import Attribution

FIELD_LABELS = (
    ("title", "Title of work"),
    ("link", "Link to work"),
    ("revision", "Revision"),
    ("license", "License of the work"),
    ("creators", "Creator names"),
)
OPTIONAL_FIELDS = frozenset({"revision"})

# What a reader accepts for each field (compared lower-cased with single spaces); the first is canonical.
_ALIASES = {
    "title": ("title of work", "title of the work", "title"),
    "link": ("link to work", "link to the work", "link", "url", "source"),
    "revision": ("revision", "link to revision", "revision link"),
    "license": ("license of the work", "license of work", "license", "licence of the work", "licence"),
    "creators": ("creator names", "creator name", "creators", "creator", "authors", "author"),
}
_KEY_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_SPACES = re.compile(r"\s+")


def _one_line(value: str) -> str:
    """attribution.txt has one value per line: line breaks and runs of whitespace become one space."""
    return _SPACES.sub(" ", value if isinstance(value, str) else "").strip()


def to_attribution_txt(attribution: Attribution) -> str:
    lines = []
    for name, label in FIELD_LABELS:
        value = _one_line(getattr(attribution, name, ""))
        if not value and name in OPTIONAL_FIELDS:
            continue
        lines.append(f"{label}: {value}" if value else f"{label}:")
    return "\n".join(lines) + "\n"


def parse_attribution_txt(text: str | bytes) -> Attribution:
    """Read the known ``Key: value`` lines; keys are case-insensitive, other lines are ignored.

    A file that lists several works (upstream has such leaves) gives the first value of each field.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return Attribution()
    found: dict[str, str] = {}
    for raw in text.lstrip("\ufeff").splitlines():
        key, colon, value = raw.partition(":")
        if not colon:
            continue
        name = _KEY_TO_FIELD.get(_SPACES.sub(" ", key).strip().casefold())
        if name is not None and name not in found:
            found[name] = value.strip()
    return Attribution(**found)
