"""Plain-language messages and exact positions for schema errors."""

from __future__ import annotations

from taxonomy_app.schema import Issue, validate_qna

SKILL_PATH = "compositional_skills/linguistics/synonyms/qna.yaml"
KNOWLEDGE_PATH = "knowledge/science/animals/chickadee/qna.yaml"


def skill_seeds(n: int) -> str:
    return "".join(f"  - question: Question {i}?\n    answer: Answer {i}.\n" for i in range(1, n + 1))


def knowledge_text(seed_block: str, extra: str = "", patterns: str = "    - chickadee.md\n") -> str:
    return (
        "version: 3\ncreated_by: alice\ndomain: birds\ndocument_outline: About chickadees.\n"
        + extra
        + "seed_examples:\n"
        + seed_block
        + "document:\n  repo: https://github.com/example/k.git\n"
        "  commit: 5f7158a5ce83c4ff493bfe341fe31ecad64ff697\n  patterns:\n" + patterns
    )


def knowledge_seed(i: int, pairs: int = 3) -> str:
    text = f"  - context: Context number {i}.\n    questions_and_answers:\n"
    for j in range(1, pairs + 1):
        text += f"      - question: Q{j} of {i}?\n        answer: A{j} of {i}.\n"
    return text


def errors(text: str, path: str = SKILL_PATH, mode: str = "ci") -> list[Issue]:
    return validate_qna(text, path=path, mode=mode).errors


def by_rule(issues: list[Issue], rule: str) -> list[Issue]:
    return [i for i in issues if i.rule == rule]


def test_missing_answer_points_at_the_seed():
    text = "version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + skill_seeds(5).replace(
        "    answer: Answer 3.\n", ""
    )
    [issue] = errors(text)
    assert issue == Issue(
        rule="R9-missing-key",
        message="Seed example 3 is missing its answer.",
        line=9,
        column=5,
        yaml_path=".seed_examples[2]",
        severity="error",
        detail="'answer' is a required property",
    )


def test_too_few_seeds_points_at_the_key():
    [issue] = errors("version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + skill_seeds(3))
    assert (issue.rule, issue.message) == (
        "R12-too-few-seeds",
        "This file needs at least 5 seed examples; it has 3.",
    )
    assert (issue.line, issue.column, issue.yaml_path) == (4, 1, ".seed_examples")
    assert issue.detail == "Value must have at least 5 items"


def test_missing_top_level_fields_point_at_the_mapping():
    issues = errors("# a comment first\n\nversion: 3\ncreated_by: a\n")
    assert [(i.message, i.line, i.column) for i in issues] == [
        (
            "The file is missing the required field 'task_description' "
            "(one or two sentences describing the skill).",
            3,
            1,
        ),
        ("The file is missing the required field 'seed_examples' (the list of examples).", 3, 1),
    ]


def test_unexpected_keys_each_point_at_their_key():
    text = knowledge_text(
        "".join(knowledge_seed(i) for i in range(1, 6)), extra="task_description: t\nnotes: n\n"
    )
    issues = by_rule(errors(text, KNOWLEDGE_PATH), "R10-unknown-key")
    assert [(i.message.split(".")[0], i.line, i.column, i.yaml_path) for i in issues] == [
        ("'task_description' is not allowed in a version 3 knowledge file", 5, 1, ".task_description"),
        ("'notes' is not allowed in a version 3 knowledge file", 6, 1, ".notes"),
    ]
    assert all(
        i.detail == "Unevaluated properties are not allowed ('notes', 'task_description' were unexpected)"
        for i in issues
    )
    assert "document_outline" in issues[0].message


def test_knowledge_seed_with_skill_fields_gets_a_hint():
    seeds = (
        "".join(knowledge_seed(i) for i in range(1, 5)) + "  - question: Old style?\n    answer: Yes it is.\n"
    )
    issues = errors(knowledge_text(seeds), KNOWLEDGE_PATH)
    missing = by_rule(issues, "R9-missing-key")
    assert [i.message for i in missing] == [
        "Seed example 5 is missing its context.",
        "Seed example 5 is missing its 'questions_and_answers' list.",
    ]
    unknown = by_rule(issues, "R10-unknown-key")
    assert [(i.yaml_path, i.line, i.column) for i in unknown] == [
        (".seed_examples[4].question", 38, 5),
        (".seed_examples[4].answer", 39, 5),
    ]
    assert "questions_and_answers" in unknown[0].message


def test_too_few_pairs_and_duplicate_pairs():
    seeds = knowledge_seed(1) + knowledge_seed(2, pairs=2) + "".join(knowledge_seed(i) for i in range(3, 6))
    seeds = seeds.replace(
        "      - question: Q2 of 4?\n        answer: A2 of 4.\n",
        "      - question: Q1 of 4?\n        answer: A1 of 4.\n",
    )
    issues = errors(knowledge_text(seeds), KNOWLEDGE_PATH)
    [few] = by_rule(issues, "R13-too-few-qna")
    assert few.message == "Seed example 2 needs at least 3 question-and-answer pairs; it has 2."
    assert (few.line, few.column, few.yaml_path) == (15, 5, ".seed_examples[1].questions_and_answers")
    [dup] = by_rule(issues, "R14-duplicate")
    assert dup.message == (
        "Seed example 4 has identical question-and-answer pairs (pairs 1 and 2); each one must be different."
    )


def test_pattern_rules():
    seeds = "".join(knowledge_seed(i) for i in range(1, 6))
    [dup] = errors(knowledge_text(seeds, patterns="    - a.md\n    - b.md\n    - a.md\n"), KNOWLEDGE_PATH)
    assert dup.rule == "R15-duplicate-pattern"
    assert (
        dup.message == "The document lists the same file pattern more than once: 'a.md' (patterns 1 and 3)."
    )
    [none] = errors(
        knowledge_text(seeds, patterns="").replace("patterns:\n", "patterns: []\n"), KNOWLEDGE_PATH
    )
    assert none.rule == "R15-no-patterns" and "it has none" in none.message
    [blank] = errors(knowledge_text(seeds, patterns="    - ''\n"), KNOWLEDGE_PATH)
    assert (blank.rule, blank.message) == (
        "R11-empty-text",
        "File pattern 1 of the document is empty; please fill it in.",
    )
    assert (blank.line, blank.column) == (50, 7)


def test_wrong_types_are_described():
    text = (
        "version: 3\ncreated_by: [a, b]\ntask_description: t\nseed_examples:\n"
        + skill_seeds(4)
        + "  - just a sentence\n"
    )
    issues = errors(text)
    assert [(i.message, i.line, i.column) for i in issues] == [
        ("'created_by' must be text, but it is a list.", 2, 1),
        ("Seed example 5 must be a group of named fields, but it is text.", 13, 5),
    ]


def test_null_value_points_at_its_key():
    text = "version: 3\ncreated_by:\ntask_description: t\nseed_examples:\n" + skill_seeds(5)
    [issue] = errors(text)
    assert issue.message == "'created_by' must be text, but it is empty (it has no value)."
    assert (issue.line, issue.column, issue.yaml_path) == (2, 1, ".created_by")


def test_odd_keys_get_bracketed_yaml_paths():
    text = "version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + skill_seeds(5) + "my key: 1\n"
    [issue] = errors(text)
    assert issue.yaml_path == "['my key']"
    assert (issue.line, issue.column) == (15, 1)


def test_issue_to_dict_has_exactly_the_public_keys():
    issue = Issue(rule="R9-missing-key", message="m", line=3, column=4, yaml_path=".", detail="d")
    assert issue.to_dict() == {
        "line": 3,
        "column": 4,
        "rule": "R9-missing-key",
        "message": "m",
        "yaml_path": ".",
    }


def test_issues_are_ordered_by_position():
    text = (
        "version: 3\ncreated_by: ''\ntask_description: t\nseed_examples:\n" + skill_seeds(3) + "extra: 1  \n"
    )
    issues = errors(text)
    assert [(i.rule, i.line) for i in issues] == [
        ("R11-empty-text", 2),
        ("R12-too-few-seeds", 4),
        ("R10-unknown-key", 11),
        ("lint-trailing-spaces", 11),
    ]
    result = validate_qna(text, path=SKILL_PATH, attribution_present=False)
    assert result.errors[0].rule == "R16-attribution-missing" and result.errors[0].line is None


def test_lint_messages_keep_the_yamllint_text():
    text = "version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + skill_seeds(5) + "\n\n\n\n"
    result = validate_qna(text, path=SKILL_PATH, mode="ci")
    [warning] = result.warnings
    assert warning.rule == "lint-empty-lines"
    assert warning.detail == "too many blank lines (4 > 0) (empty-lines)"
    assert warning.message == "Too many blank lines here: too many blank lines (4 > 0)."
    strict_lint = validate_qna(text, path=SKILL_PATH, mode="ilab")
    assert [e.rule for e in strict_lint.errors] == ["lint-empty-lines"]
