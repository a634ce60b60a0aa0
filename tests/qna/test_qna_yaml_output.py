"""to_qna_yaml: layout, quoting, block styles, normalisation, drafts, and validity of complete content."""

from __future__ import annotations

import pytest
import yaml

from taxonomy_app.qna import (
    KINDS,
    ContributionData,
    DocumentRef,
    QuestionAnswer,
    Seed,
    normalize_text,
    to_attribution_txt,
    to_qna_yaml,
)
from taxonomy_app.schema import validate_qna

SKILL_PATH = "compositional_skills/linguistics/greetings/qna.yaml"
GROUNDED_PATH = "compositional_skills/grounded/linguistics/greetings/qna.yaml"
KNOWLEDGE_PATH = "knowledge/science/animals/birds/chickadee/qna.yaml"


def value_line(text: str) -> str:
    """The qna.yaml line written for a freeform skill whose task_description is ``text``."""
    data = ContributionData(kind="freeform_skill", task_description=text)
    return to_qna_yaml(data).split("\n")[1]


def test_freeform_skill_layout_matches_upstream_style():
    data = ContributionData(
        kind="freeform_skill",
        created_by="alice",
        task_description="Give synonyms.",
        seeds=[Seed(pairs=[QuestionAnswer("What is a synonym for happy?", "Glad.\nJoyful.\n")])],
    )
    assert to_qna_yaml(data) == (
        "version: 3\n"
        "task_description: Give synonyms.\n"
        "created_by: alice\n"
        "seed_examples:\n"
        "  - question: What is a synonym for happy?\n"
        "    answer: |\n"
        "      Glad.\n"
        "      Joyful.\n"
    )


def test_grounded_skill_writes_context_first():
    data = ContributionData(
        kind="grounded_skill",
        created_by="bob",
        task_description="Rewrite",
        seeds=[Seed(context="Some text", pairs=[QuestionAnswer("Rewrite it", "Done")])],
    )
    assert to_qna_yaml(data).split("\n")[4:8] == [
        "  - context: Some text",
        "    question: Rewrite it",
        "    answer: Done",
        "",
    ]


def test_knowledge_layout_and_key_order():
    data = ContributionData(
        kind="knowledge",
        created_by="carol",
        domain="birds",
        document_outline="About birds",
        seeds=[
            Seed(
                context="Excerpt\ntwo lines",
                pairs=[QuestionAnswer("Q1?", "A1"), QuestionAnswer("Q2?", "A2")],
            )
        ],
        document=DocumentRef(repo="https://example.test/r.git", commit="abc", patterns=["*.md", "b.md"]),
    )
    assert to_qna_yaml(data) == (
        "version: 3\n"
        "domain: birds\n"
        "created_by: carol\n"
        "seed_examples:\n"
        "  - context: |-\n"
        "      Excerpt\n"
        "      two lines\n"
        "    questions_and_answers:\n"
        "      - question: Q1?\n"
        "        answer: A1\n"
        "      - question: Q2?\n"
        "        answer: A2\n"
        "document_outline: About birds\n"
        "document:\n"
        "  repo: https://example.test/r.git\n"
        "  commit: abc\n"
        "  patterns:\n"
        "    - '*.md'\n"
        "    - b.md\n"
    )
    assert list(yaml.safe_load(to_qna_yaml(data))) == [
        "version", "domain", "created_by", "seed_examples", "document_outline", "document"
    ]


@pytest.mark.parametrize(
    "text",
    ["Yes", "No", "YES", "on", "off", "OFF", "y", "n", "true", "null", "Null", "~", "3", "3.0", "-1", "1e3",
     "0x1F",
     "012", "1_000", "1:20", ".inf", ".NaN", "2024-01-01", "<<", "=", "0o17", "+12", ".5", "1.", "-.INF"],
)
def test_values_yaml_would_misread_are_single_quoted(text):
    assert value_line(text) == f"task_description: '{text}'"


@pytest.mark.parametrize(
    "text",
    [" leading", "trailing ", "key: value", "ends with:", "a #comment", "#hash", "- dash", "-dash", "? what",
     "*star", "&amp", "!bang", "%pct", "@at", "`tick", "|pipe", ">gt", "'quoted'", '"double"', "[list]",
     "{map}", ",comma", ":colon", "---", "...", "   "],
)
def test_indicators_spaces_and_markers_are_quoted(text):
    line = value_line(text)
    assert line.startswith("task_description: '") and line.endswith("'")
    assert yaml.safe_load(line)["task_description"] == text


def test_single_quotes_inside_quoted_text_are_doubled():
    assert value_line("'It's'") == "task_description: '''It''s'''"


def test_plain_text_stays_plain():
    assert value_line("It's a bird, it's a plane! No, 50%, item#1 a:b") == (
        "task_description: It's a bird, it's a plane! No, 50%, item#1 a:b"
    )
    assert value_line("Ünïcødé 日本語 🙂") == "task_description: Ünïcødé 日本語 🙂"


def test_empty_strings_are_written_as_empty_quotes():
    assert value_line("") == "task_description: ''"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tab\there", '"tab\\there"'),
        ("nul\0x", '"nul\\0x"'),
        ("bell\x07", '"bell\\x07"'),
        ("bom\ufeff", '"bom\\uFEFF"'),
        ("zwj\u200d", '"zwj\\u200D"'),
        ("sep\u2028", '"sep\\u2028"'),
        ('back\\slash "q"\t', '"back\\\\slash \\"q\\"\\t"'),
    ],
)
def test_unprintable_characters_use_double_quotes_with_escapes(text, expected):
    line = value_line(text)
    assert line == f"task_description: {expected}"
    assert yaml.safe_load(line)["task_description"] == text


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("one\ntwo\n", "|"),
        ("one\ntwo", "|-"),
        ("  indented\nnext\n", "|2"),
        ("\tcode\n", "|2"),
        ("\nstarts with a break\n", "|2"),
        (" indented\nno final break", "|2-"),
        ("a\n\n\nb\n", "|"),  # two blank lines in a row are fine for yamllint
    ],
)
def test_multi_line_text_uses_literal_blocks(text, header):
    data = ContributionData(kind="freeform_skill", task_description=text)
    out = to_qna_yaml(data)
    assert out.split("\n")[1] == f"task_description: {header}"
    assert yaml.safe_load(out)["task_description"] == text


@pytest.mark.parametrize(
    "text",
    ["ends in blank lines\n\n", "a\n\n\n\nthree blank lines", "\n", "\n\n", "\n\n\nx", "line\x0cfeed\n"],
)
def test_multi_line_text_that_a_block_cannot_hold_uses_double_quotes(text):
    line = value_line(text)
    assert line.startswith('task_description: "')
    assert yaml.safe_load(line)["task_description"] == text


def test_normalisation_line_endings_and_trailing_spaces():
    assert normalize_text("a  \r\nb\t\rc ") == "a\nb\nc"
    assert normalize_text("single line keeps its spaces  ") == "single line keeps its spaces  "
    assert normalize_text("  \n  ") == "\n"
    assert normalize_text(None) == "" and normalize_text(42) == "42"
    data = ContributionData(kind="freeform_skill", task_description="First line   \r\nSecond line\t\r\n")
    out = to_qna_yaml(data)
    assert "\r" not in out and " \n" not in out and "\t\n" not in out
    assert yaml.safe_load(out)["task_description"] == "First line\nSecond line\n"


def test_deep_block_indentation_for_knowledge_pairs():
    data = ContributionData(
        kind="knowledge",
        seeds=[Seed(context="ctx", pairs=[QuestionAnswer("  two spaces\nthen\n", "   three\n")])],
    )
    out = to_qna_yaml(data)
    assert "      - question: |2\n" in out and "          two spaces\n" in out
    pair = yaml.safe_load(out)["seed_examples"][0]["questions_and_answers"][0]
    assert pair == {"question": "  two spaces\nthen\n", "answer": "   three\n"}


def test_multi_line_pattern_in_a_sequence_reads_back():
    data = ContributionData(kind="knowledge", document=DocumentRef(patterns=[" odd\npattern", "ok.md"]))
    assert yaml.safe_load(to_qna_yaml(data))["document"]["patterns"] == [" odd\npattern", "ok.md"]


@pytest.mark.parametrize("kind", KINDS)
def test_empty_forms_give_parseable_lint_clean_yaml(kind):
    data = ContributionData.empty(kind)
    out = to_qna_yaml(data)
    loaded = yaml.safe_load(out)
    assert loaded["version"] == 3 and loaded["created_by"] == ""
    assert len(loaded["seed_examples"]) == 5
    root = "knowledge" if kind == "knowledge" else "compositional_skills"
    result = validate_qna(out, path=f"{root}/a/b/qna.yaml", mode="ilab")
    assert not [i for i in result.issues if i.rule.startswith(("lint-", "R4", "R5", "R6"))]


@pytest.mark.parametrize("kind", KINDS)
def test_kind_with_no_seeds_and_no_document_still_parses(kind):
    data = ContributionData(kind=kind)
    loaded = yaml.safe_load(to_qna_yaml(data))
    assert loaded["seed_examples"] == []
    if kind == "knowledge":
        assert loaded["document"] == {"repo": "", "commit": "", "patterns": []}
    else:
        assert "document" not in loaded and "domain" not in loaded


def test_half_filled_draft_parses():
    data = ContributionData.empty("knowledge")
    data.domain = "birds"
    data.seeds[0].context = "Only the first excerpt.\n"
    data.seeds[0].pairs[1].answer = "An answer without its question"
    data.seeds[3].pairs = []
    data.document = None
    loaded = yaml.safe_load(to_qna_yaml(data))
    assert loaded["seed_examples"][0]["questions_and_answers"][1] == {
        "question": "", "answer": "An answer without its question"
    }
    assert loaded["seed_examples"][3]["questions_and_answers"] == []


def test_fields_of_other_kinds_are_not_written():
    data = ContributionData(
        kind="freeform_skill",
        domain="ignored",
        document_outline="ignored",
        document=DocumentRef(repo="x"),
        seeds=[
            Seed(
                context="dropped for a freeform skill",
                pairs=[QuestionAnswer("q", "a"), QuestionAnswer("x", "y")],
            )
        ],
    )
    loaded = yaml.safe_load(to_qna_yaml(data))
    assert set(loaded) == {"version", "task_description", "created_by", "seed_examples"}
    assert loaded["seed_examples"] == [{"question": "q", "answer": "a"}]  # skills use the first pair only
    data.kind = "knowledge"
    data.task_description = "ignored too"
    assert "task_description" not in yaml.safe_load(to_qna_yaml(data))


def test_skill_seed_without_pairs_writes_empty_question_and_answer():
    data = ContributionData(kind="freeform_skill", seeds=[Seed()])
    assert yaml.safe_load(to_qna_yaml(data))["seed_examples"] == [{"question": "", "answer": ""}]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        to_qna_yaml(ContributionData(kind="recipe"))


@pytest.mark.parametrize(
    ("kind", "path"), [("freeform_skill", SKILL_PATH), ("grounded_skill", GROUNDED_PATH)]
)
def test_complete_skill_passes_strict_validation(make_skill, kind, path):
    data = make_skill(kind)
    result = validate_qna(to_qna_yaml(data).encode(), path=path, mode="strict",
                          attribution=to_attribution_txt(data.attribution))
    assert result.valid and not result.warnings, result.issues


def test_complete_knowledge_passes_strict_validation(make_knowledge):
    data = make_knowledge()
    result = validate_qna(to_qna_yaml(data), path=KNOWLEDGE_PATH, mode="strict",
                          attribution=to_attribution_txt(data.attribution))
    assert result.valid and not result.warnings, result.issues


def test_output_is_deterministic(make_knowledge):
    assert to_qna_yaml(make_knowledge()) == to_qna_yaml(make_knowledge())
