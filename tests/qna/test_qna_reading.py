"""from_qna_yaml: prefilling a form from uploaded or pasted files, valid or not."""

from __future__ import annotations

import pytest

from taxonomy_app.qna import ContributionData, DocumentRef, QuestionAnswer, Seed, from_qna_yaml, to_qna_yaml

SKILL_PATH = "compositional_skills/linguistics/greetings/qna.yaml"
GROUNDED_PATH = "compositional_skills/grounded/linguistics/greetings/qna.yaml"
KNOWLEDGE_PATH = "knowledge/science/animals/birds/chickadee/qna.yaml"

INVALID_SKILL = b"""\
version: 3
task_description: Greetings
created_by: alice
seed_examples:
  - question: How do you say hello?
    answer: Hello.
  - question: How do you say goodbye?
  - answer: An answer without a question
  - question: Yes
    answer: 42
  - just a string
  - question: [not, text]
    answer:
"""


def test_invalid_skill_keeps_what_could_be_read_and_reports_lines():
    data, issues = from_qna_yaml(INVALID_SKILL, path=SKILL_PATH)
    assert data.kind == "freeform_skill"
    assert data.task_description == "Greetings" and data.created_by == "alice"
    assert [(s.pairs[0].question, s.pairs[0].answer) for s in data.seeds] == [
        ("How do you say hello?", "Hello."),
        ("How do you say goodbye?", ""),
        ("", "An answer without a question"),
        ("True", "42"),  # non-strings converted with str()
    ]
    by_rule = {(i.rule, i.line) for i in issues}
    assert ("R9-missing-key", 7) in by_rule  # seed 2 has no answer (its mapping starts on line 7)
    assert ("R9-missing-key", 8) in by_rule  # seed 3 has no question
    assert ("R11-wrong-type", 9) in by_rule  # the question "Yes" is a boolean
    assert ("R11-wrong-type", 11) in by_rule  # a string where a seed should be
    assert all(i.line is not None for i in issues if i.rule.startswith(("R9", "R11")))


def test_yaml_syntax_error_gives_an_empty_form_and_the_parse_issue():
    text = "version: 3\ntask_description: bad: colon\ncreated_by: me\n"
    data, issues = from_qna_yaml(text, path=GROUNDED_PATH)
    assert data == ContributionData.empty("grounded_skill")
    assert [(i.rule, i.line) for i in issues] == [("R4-yaml-syntax", 2)]


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (bytes(range(256)) * 4, "R3-encoding"),
        ("version: 3\ncreated_by: José\n".encode("latin-1"), "R3-encoding"),
        (b"", "R5-empty"),
        (b"# only a comment\n", "R5-empty"),
        (b"- a\n- list\n", "R6-not-mapping"),
        ("version: 3\n\x00\n", "R4-bad-character"),
    ],
    ids=["binary", "latin-1", "empty", "comment-only", "list", "nul"],
)
@pytest.mark.parametrize("path", [SKILL_PATH, KNOWLEDGE_PATH])
def test_unreadable_input_gives_an_empty_form_of_the_paths_kind(raw, rule, path):
    data, issues = from_qna_yaml(raw, path=path)
    kind = "knowledge" if path.startswith("knowledge/") else "freeform_skill"
    assert data == ContributionData.empty(kind)
    assert rule in [i.rule for i in issues]


def test_latin1_issue_points_at_the_bad_byte():
    _, issues = from_qna_yaml("version: 3\ncreated_by: José\n".encode("latin-1"), path=SKILL_PATH)
    (issue,) = [i for i in issues if i.rule == "R3-encoding"]
    assert (issue.line, issue.column) == (2, 16)


def test_crlf_and_bom_are_accepted_with_warnings():
    raw = (
        "\ufeffversion: 3\r\ntask_description: T\r\ncreated_by: me\r\nseed_examples:\r\n"
        "  - question: Q\r\n    answer: |\r\n      line one\r\n      line two\r\n"
    )
    data, issues = from_qna_yaml(raw.encode(), path=SKILL_PATH)
    assert data.seeds[0].pairs[0].answer == "line one\nline two\n"
    assert {"N1-line-endings", "N2-byte-order-mark"} <= {i.rule for i in issues}


def test_grounded_kind_is_inferred_from_any_context():
    text = "version: 3\ntask_description: T\ncreated_by: me\nseed_examples:\n" \
           "  - question: Q1\n    answer: A1\n  - context: C\n    question: Q2\n    answer: A2\n"
    data, issues = from_qna_yaml(text, path=SKILL_PATH)
    assert data.kind == "grounded_skill"
    assert [s.context for s in data.seeds] == ["", "C"]
    assert "P5-mixed-seeds" in [i.rule for i in issues]


def test_document_means_knowledge_whatever_the_path():
    text = "version: 3\ncreated_by: me\ndocument:\n  repo: r\n  commit: c\n  patterns: [a.md]\n"
    data, issues = from_qna_yaml(text, path=SKILL_PATH)
    assert data.kind == "knowledge"
    assert data.document == DocumentRef(repo="r", commit="c", patterns=["a.md"])
    assert "P8-path-kind" in [i.rule for i in issues]


def test_knowledge_without_document_still_gets_an_empty_document():
    text = "version: 3\ndomain: birds\ncreated_by: me\nseed_examples:\n" \
           "  - context: C\n    questions_and_answers:\n      - question: Q\n        answer: A\n"
    data, _ = from_qna_yaml(text, path=KNOWLEDGE_PATH)
    assert data.kind == "knowledge" and data.domain == "birds"
    assert data.document == DocumentRef()
    assert data.seeds == [Seed(context="C", pairs=[QuestionAnswer("Q", "A")])]


def test_v3_knowledge_keeps_readable_pairs_and_drops_junk():
    text = """\
version: 3
domain: 3.5
created_by: me
seed_examples:
  - context: First
    questions_and_answers:
      - question: Q1
        answer: A1
      - junk
      - question: null
        answer: null
      - answer: Only an answer
  - null
  - context: Second
    questions_and_answers: not a list
document_outline: Outline
document:
  repo: r
  commit: 5f7158a
  patterns: single.md
"""
    data, issues = from_qna_yaml(text, path=KNOWLEDGE_PATH)
    assert data.domain == "3.5"
    assert data.seeds == [
        Seed(context="First", pairs=[QuestionAnswer("Q1", "A1"), QuestionAnswer("", "Only an answer")]),
        Seed(context="Second", pairs=[]),
    ]
    assert data.document == DocumentRef(repo="r", commit="5f7158a", patterns=["single.md"])
    assert data.document_outline == "Outline"
    rules = {i.rule for i in issues}
    assert {"P7-commit-sha", "R11-wrong-type", "P6-too-many-qna", "R12-too-few-seeds"} <= rules
    assert all(i.line is not None for i in issues if i.yaml_path)


def test_v2_knowledge_is_regrouped_into_v3_seeds():
    text = """\
version: 2
created_by: me
domain: history
task_description: About IBM history
seed_examples:
  - question: Q1
    answer: A1
  - context: Shared context
    question: Q2
    answer: A2
  - question: Q3
    answer: A3
  - context: Shared context
    question: Q4
    answer: A4
  - question: Q5
    answer: A5
  - question: Q6
    answer: A6
  - question: Q7
    answer: A7
document:
  repo: r
  commit: c
  patterns:
    - a.md
"""
    data, issues = from_qna_yaml(text, path=KNOWLEDGE_PATH)
    assert data.kind == "knowledge"
    assert data.document_outline == "About IBM history"
    assert [(s.context, [p.question for p in s.pairs]) for s in data.seeds] == [
        ("", ["Q1", "Q3", "Q5"]),
        ("Shared context", ["Q2", "Q4"]),
        ("", ["Q6", "Q7"]),
    ]
    assert "R7-version-mismatch" in [i.rule for i in issues]
    written = to_qna_yaml(data)
    assert "task_description" not in written and "version: 3" in written


def test_v1_skill_without_version_converts():
    text = "created_by: me\ntask_description: ''\nseed_examples:\n  - question: Q\n    answer: A\n" \
           "    attribution: old per-seed block\n"
    data, issues = from_qna_yaml(text, path=SKILL_PATH)
    assert data.kind == "freeform_skill"
    assert data.seeds == [Seed(pairs=[QuestionAnswer("Q", "A")])]
    assert "R10-unknown-key" in [i.rule for i in issues]
    assert "version: 3" in to_qna_yaml(data)


def test_file_without_any_kind_signal_follows_the_path():
    data, _ = from_qna_yaml("version: 3\ncreated_by: me\n", path=KNOWLEDGE_PATH)
    assert data.kind == "knowledge" and data.created_by == "me" and data.seeds == []
    data, _ = from_qna_yaml("version: 3\ncreated_by: me\n", path=SKILL_PATH)
    assert data.kind == "freeform_skill"


def test_wrong_file_name_in_path_gives_an_empty_form_with_the_issue():
    data, issues = from_qna_yaml("version: 3\n", path="compositional_skills/a/b/qna.yml")
    assert data == ContributionData.empty("freeform_skill")
    assert "R2-file-name" in [i.rule for i in issues]


def test_issues_come_in_file_order():
    _, issues = from_qna_yaml(INVALID_SKILL, path=SKILL_PATH)
    positions = [(i.line or 0, i.column or 0) for i in issues]
    assert positions == sorted(positions)
