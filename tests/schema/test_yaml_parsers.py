"""The libyaml fast path must give exactly what the pure-Python parser (the reference's) gives.

``yamlload.parse`` uses libyaml for texts without the constructs where the two parsers are known to differ,
and falls back to the pure parser for anything libyaml rejects. Here both paths are compared on the corpus,
on the known divergences, and on a few hundred seeded random mutants of corpus files: same refusal (rule and
position) or same contents and the same node tags, values, styles and start marks (end marks of a document
without a final newline differ, and are not used).
"""

from __future__ import annotations

import random

import pytest
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from taxonomy_app.schema import yamlload
from taxonomy_app.schema.limits import Limits

pytestmark = pytest.mark.skipif(
    getattr(yaml, "CSafeLoader", None) is None, reason="PyYAML built without libyaml"
)

MUTATIONS = list(":-[]{}#&*!|>'\"%@`,? \n\\.\u00a0é0aZ~=<\t") + [
    "  ",
    "\n  ",
    "\n- ",
    ": ",
    "- ",
    "|-",
    ">+",
    "|2",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "!x ",
    "---\n",
    "...\n",
    " #",
    "\\n",
    "\\x41",
    "\\u00e9",
    "\\/",
    "\ufeff",
    "\x85",
    "\u2028",
    "|#",
    ">-#",
    "%YAML 1.1\n",
    "2024-01-01",
    "0o17",
    "1e3",
    ".inf",
    "~",
    "yes",
    "<<: *a\n",
]


def nodes(root) -> list[tuple]:
    out, pending = [], [root]
    while pending:
        node = pending.pop()
        out.append(
            (
                type(node).__name__,
                node.tag,
                node.value if isinstance(node, ScalarNode) else None,
                getattr(node, "style", None),
                node.start_mark.line,
                node.start_mark.column,
            )
        )
        if isinstance(node, SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                pending.extend((key, value))
    return out


def outcome(text: str, *, libyaml: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(yamlload, "USE_LIBYAML", libyaml)
    try:
        loader, root = yamlload.parse(text, Limits.default())
        if root is None:
            return ("empty",)
        shape = nodes(root)
        contents = yamlload.construct(loader, root)
        return ("ok", repr(contents), shape)
    except yamlload.ReadRefused as refusal:
        return ("refused", refusal.rule, refusal.line, refusal.column, refusal.message)


def mutants(sources: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sources = [text[:2500] for text in sources]
    out = []
    for _ in range(count):
        chars = list(rng.choice(sources))
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.45:
                chars.insert(i, rng.choice(MUTATIONS))
            elif op < 0.7:
                del chars[i]
            elif op < 0.85:
                chars[i] = rng.choice(MUTATIONS)
            else:
                j = rng.randrange(len(chars))
                chars[i:i] = chars[j : j + rng.randint(1, 40)]
        out.append("".join(chars))
    return out


@pytest.fixture(scope="module")
def corpus_texts(corpus_dir, corpus_entries) -> list[str]:
    return [(corpus_dir / tree / rel).read_text(encoding="utf-8") for tree, rel in corpus_entries]


def test_corpus_files_take_the_fast_path_and_agree(corpus_texts, monkeypatch):
    texts = corpus_texts
    assert sum(yamlload.libyaml_suitable(t) for t in texts) >= len(texts) - 5
    for text in texts:
        assert outcome(text, libyaml=True, monkeypatch=monkeypatch) == outcome(
            text, libyaml=False, monkeypatch=monkeypatch
        )


@pytest.mark.parametrize(
    "text",
    [
        "a: b\t\n",  # libyaml accepts tabs where PyYAML does not
        "a: >#\n  x\n",  # block indicator touching a comment
        "a: 1\n\ufeffb: 2\n",  # a BOM inside the text
        "a: x\x85y\n",  # NEL line break
        "%YAML 1.1\n---\na: 1\n",  # directive
        'a: "\\U0011FFFF"\n',  # PyYAML raises ValueError, libyaml a ScannerError
        "a: [1, 2\n",  # a plain syntax error
        "- a\n- b\n",
    ],
)
def test_known_differences_fall_back_to_the_pure_parser(text, monkeypatch):
    assert outcome(text, libyaml=True, monkeypatch=monkeypatch) == outcome(
        text, libyaml=False, monkeypatch=monkeypatch
    )


def test_unicode_escape_beyond_range_is_a_yaml_error(monkeypatch):
    result = outcome('a: "\\U0011FFFF"\n', libyaml=False, monkeypatch=monkeypatch)
    assert result[:2] == ("refused", "R4-yaml-syntax")


def test_random_mutants_agree(corpus_texts, monkeypatch):
    disagreements = []
    for text in mutants(corpus_texts, 300, seed=20240703):
        fast = outcome(text, libyaml=True, monkeypatch=monkeypatch)
        pure = outcome(text, libyaml=False, monkeypatch=monkeypatch)
        if fast != pure:
            disagreements.append((text, fast[:2], pure[:2]))
    assert not disagreements, disagreements[:3]
