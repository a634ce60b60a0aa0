"""Property-style test of to_qna_yaml: thousands of documents built from nasty strings must read back to
exactly the form's text (after the documented normalisation) and be clean for yamllint.

Hypothesis is not installed; a seeded random generator gives the same documents on every run.
"""

from __future__ import annotations

import random
import re

import pytest
import yaml

from taxonomy_app.qna import KINDS, ContributionData, DocumentRef, QuestionAnswer, Seed, to_qna_yaml
from taxonomy_app.schema import validate_qna
from taxonomy_app.schema.lint import problems

PIECES = [
    # plain words and sentences
    "hello", "What is the capital of France?", "It's a bird", 'He said "hi"', "a,b", "x=y", "50%",
    # unicode
    "é", "日本語のテキスト", "🙂", "👩\u200d👩\u200d👧", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u2028",
    "\u2029", "\x85", "Ω≈ç√", "\U0001f600\U0001f680", "\ue000", "\ufffd",
    # control characters
    "\x00", "\x07", "\x1b", "\x7f", "\x0b", "\x0c", "\ud800",
    # quotes and escapes
    "'", '"', "''", '""', "\\", "\\n", "'quoted'", '"double"',
    # colons, comments, indicators
    ":", ": ", "a:b", "key: value", "ends with:", "#", " #", "# not a comment", "a#b",
    "-", "- ", "-x", "?", "? ", "*", "&", "&anchor", "*alias", "!", "!!str", "%", "@", "`", "|", ">",
    "{", "}", "[", "]", ",", "[1, 2]", "{a: 1}", "<<", "=", "~",
    # whitespace and line breaks
    " ", "  ", "\t", " \t ", "\n", "\n\n", "\n\n\n", "\r\n", "\r", "\r\n\r\n", "  leading", "trailing  ",
    "\tindented", "    code()", "line\n  more indented\nback",
    # document markers
    "---", "...", "--- x", "... y", "\n---\n", "\n...\n",
    # YAML 1.1 keywords and numbers
    "Yes", "No", "yes", "no", "on", "off", "On", "OFF", "y", "n", "Y", "N", "true", "False", "null", "Null",
    "NULL", "~", "3", "-3", "3.0", "1e3", "0x1F", "0o17", "012", "1_000", "1:20", "190:20:30", ".inf",
    "-.Inf", ".nan", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "+1",
]
DOCUMENTS = 2000
LONG = ["x" * 3000, "word " * 400, "a" * 200 + ": " + "b" * 200]


def nasty_string(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.35:
        return rng.choice(PIECES)
    if roll < 0.352:
        return rng.choice(LONG)
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(2, 4)))


def normalized(text: str) -> str:
    """The documented normalisation, written independently of the emitter."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        text = "\n".join(line.rstrip(" \t") for line in text.split("\n"))
    return text


def random_contribution(rng: random.Random) -> ContributionData:
    kind = rng.choice(KINDS)
    seeds = []
    for _ in range(rng.choice([0, 1, 2, 3, 5])):
        pairs = [
            QuestionAnswer(nasty_string(rng), nasty_string(rng))
            for _ in range(rng.choice([0, 1, 3]) if kind == "knowledge" else 1)
        ]
        seeds.append(Seed(context=nasty_string(rng), pairs=pairs))
    document = None
    if kind == "knowledge" and rng.random() < 0.9:
        document = DocumentRef(
            repo=nasty_string(rng),
            commit=nasty_string(rng),
            patterns=[nasty_string(rng) for _ in range(rng.choice([0, 1, 2]))],
        )
    return ContributionData(
        kind=kind,
        created_by=nasty_string(rng),
        task_description=nasty_string(rng),
        domain=nasty_string(rng),
        document_outline=nasty_string(rng),
        seeds=seeds,
        document=document,
    )


def expected_contents(data: ContributionData) -> dict:
    n = normalized
    if data.kind == "knowledge":
        document = data.document or DocumentRef()
        return {
            "version": 3,
            "domain": n(data.domain),
            "created_by": n(data.created_by),
            "seed_examples": [
                {
                    "context": n(seed.context),
                    "questions_and_answers": [
                        {"question": n(p.question), "answer": n(p.answer)} for p in seed.pairs
                    ],
                }
                for seed in data.seeds
            ],
            "document_outline": n(data.document_outline),
            "document": {
                "repo": n(document.repo),
                "commit": n(document.commit),
                "patterns": [n(p) for p in document.patterns],
            },
        }
    seeds = []
    for seed in data.seeds:
        item = {"context": n(seed.context)} if data.kind == "grounded_skill" else {}
        item.update(question=n(seed.pairs[0].question), answer=n(seed.pairs[0].answer))
        seeds.append(item)
    return {
        "version": 3,
        "task_description": n(data.task_description),
        "created_by": n(data.created_by),
        "seed_examples": seeds,
    }


STYLE = re.compile(r"^ *(?:- )?[a-z_]+: (\|2?-?$|'|\"|(?=[^'\"|\[]))", re.M)
STYLE_NAMES = {"": "plain"}


def assert_well_formed(text: str) -> None:
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text
    for number, line in enumerate(text.split("\n"), 1):
        assert line == line.rstrip(" \t"), f"trailing whitespace on line {number}: {line!r}"


def test_thousands_of_nasty_documents_round_trip_and_lint_clean():
    rng = random.Random(20240611)
    count = 0
    styles = set()
    for _ in range(DOCUMENTS):
        data = random_contribution(rng)
        text = to_qna_yaml(data)
        styles.update(STYLE_NAMES.get(found, found) for found in STYLE.findall(text))
        assert_well_formed(text)
        loaded = yaml.safe_load(text)
        assert loaded == expected_contents(data), text
        lint = [(p.line, p.rule, p.desc) for p in problems(text)]
        assert not lint, f"{lint}\n{text}"
        count += 1
    assert count == DOCUMENTS
    # the generator reaches every way of writing a string
    assert styles >= {"|", "|-", "|2", "|2-", "'", '"', "plain"}, styles


@pytest.mark.parametrize("seed", range(40))
def test_nasty_documents_are_lint_clean_in_ilab_mode(seed):
    """The validator's own verdict on a sample: no lint issue and no parse problem in ilab mode."""
    rng = random.Random(seed)
    data = random_contribution(rng)
    root = "knowledge" if data.kind == "knowledge" else "compositional_skills"
    result = validate_qna(to_qna_yaml(data).encode("utf-8", "surrogatepass"), path=f"{root}/a/b/qna.yaml",
                          mode="ilab")
    bad = [i for i in result.issues if i.rule.startswith(("lint-", "R3", "R4", "N1", "N2", "R5", "internal"))]
    assert not bad, bad


@pytest.mark.parametrize("piece", PIECES + LONG, ids=lambda piece: repr(piece)[:30])
def test_every_piece_alone_in_every_field(piece):
    for kind in KINDS:
        data = ContributionData.empty(kind)
        data.created_by = data.task_description = data.domain = data.document_outline = piece
        for seed in data.seeds:
            seed.context = piece
            for pair in seed.pairs:
                pair.question = pair.answer = piece
        data.document = DocumentRef(repo=piece, commit=piece, patterns=[piece])
        text = to_qna_yaml(data)
        assert_well_formed(text)
        assert yaml.safe_load(text) == expected_contents(data)
        assert not list(problems(text))
