"""check_contribution: the validator's issues pinned to form fields, plus the form-only checks."""

from __future__ import annotations

import pytest

from taxonomy_app.qna import (
    ALLOWED_LICENSES,
    Attribution,
    ContributionData,
    FieldIssue,
    QuestionAnswer,
    Seed,
    check_contribution,
    field_id_for_yaml_path,
)

SKILL_PATH = "compositional_skills/linguistics/greetings/qna.yaml"
GROUNDED_PATH = "compositional_skills/grounded/linguistics/greetings/qna.yaml"
KNOWLEDGE_PATH = "knowledge/science/animals/birds/chickadee/qna.yaml"


def by_field(issues: list[FieldIssue]) -> dict[str | None, list[FieldIssue]]:
    found: dict[str | None, list[FieldIssue]] = {}
    for issue in issues:
        found.setdefault(issue.field_id, []).append(issue)
    return found


def errors(issues: list[FieldIssue]) -> list[FieldIssue]:
    return [i for i in issues if i.severity == "error"]


@pytest.mark.parametrize(
    ("yaml_path", "kind", "expected"),
    [
        (".seed_examples[2].questions_and_answers[0].answer", "knowledge", "seed-3-pair-1-answer"),
        (".seed_examples[2].questions_and_answers[1].question", "knowledge", "seed-3-pair-2-question"),
        (".seed_examples[2].questions_and_answers[1]", "knowledge", "seed-3-pair-2-question"),
        (".seed_examples[2].questions_and_answers", "knowledge", "seed-3"),
        (".seed_examples[0].context", "knowledge", "seed-1-context"),
        (".seed_examples[4].answer", "freeform_skill", "seed-5-pair-1-answer"),
        (".seed_examples[4].question", "grounded_skill", "seed-5-pair-1-question"),
        (".seed_examples[0].context", "grounded_skill", "seed-1-context"),
        (".seed_examples[1]", "freeform_skill", "seed-2"),
        (".seed_examples[1].attribution", "freeform_skill", "seed-2"),
        (".seed_examples[1].question", "knowledge", "seed-2"),
        (".seed_examples", "knowledge", "seeds"),
        (".document.commit", "knowledge", "document-commit"),
        (".document.repo", "knowledge", "document-repo"),
        (".document.patterns", "knowledge", "document-patterns"),
        (".document.patterns[1]", "knowledge", "document-patterns"),
        (".document", "knowledge", "document-repo"),
        (".task_description", "freeform_skill", "task_description"),
        (".domain", "knowledge", "domain"),
        (".document_outline", "knowledge", "document_outline"),
        (".created_by", "grounded_skill", "created_by"),
        (".version", "knowledge", None),
        (".", "knowledge", None),
        (".unknown_key", "knowledge", None),
        (".['odd key']", "knowledge", None),
        ("", "knowledge", None),
        (None, "knowledge", None),
        ("not a path", "knowledge", None),
    ],
)
def test_field_id_for_yaml_path(yaml_path, kind, expected):
    assert field_id_for_yaml_path(yaml_path, kind) == expected


@pytest.mark.parametrize(
    ("kind", "path"), [("freeform_skill", SKILL_PATH), ("grounded_skill", GROUNDED_PATH)]
)
def test_complete_skill_has_no_issues(make_skill, kind, path):
    assert check_contribution(make_skill(kind), path=path) == []


def test_complete_knowledge_has_no_issues(make_knowledge):
    assert check_contribution(make_knowledge(), path=KNOWLEDGE_PATH) == []


def test_too_few_seeds_goes_to_the_seed_list(make_skill):
    issues = check_contribution(make_skill(n=3), path=SKILL_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("seeds", "R12-too-few-seeds")]
    assert issues[0].message == "This file needs at least 5 seed examples; it has 3."


def test_empty_answer_in_seed_3(make_skill):
    data = make_skill()
    data.seeds[2].pairs[0].answer = ""
    issues = check_contribution(data, path=SKILL_PATH)
    assert [(i.field_id, i.rule, i.severity) for i in issues] == [
        ("seed-3-pair-1-answer", "R11-empty-text", "error")
    ]
    assert "seed example 3" in issues[0].message


def test_answer_without_question_flags_the_question(make_skill):
    data = make_skill()
    data.seeds[1].pairs[0].question = ""
    issues = check_contribution(data, path=SKILL_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("seed-2-pair-1-question", "R11-empty-text")]


def test_whitespace_only_answer_flags_the_answer(make_skill):
    data = make_skill("grounded_skill")
    data.seeds[0].context = "   \n  "
    issues = check_contribution(data, path=GROUNDED_PATH)
    assert ("seed-1-context", "P4-blank-text") in [(i.field_id, i.rule) for i in issues]


def test_duplicate_question_in_seeds_2_and_4_flags_both(make_skill):
    data = make_skill()
    data.seeds[3].pairs[0].question = "  " + data.seeds[1].pairs[0].question + " "  # trimmed comparison
    issues = check_contribution(data, path=SKILL_PATH)
    flagged = by_field(issues)
    assert set(flagged) == {"seed-2-pair-1-question", "seed-4-pair-1-question"}
    for field in flagged.values():
        assert field[0].rule == "P2-duplicate-question"
        assert "Seed examples 2 and 4" in field[0].message


def test_identical_seeds_flag_each_seed(make_skill):
    data = make_skill()
    first = data.seeds[0].pairs[0]
    data.seeds[4] = Seed(pairs=[QuestionAnswer(first.question, first.answer)])
    flagged = by_field(check_contribution(data, path=SKILL_PATH))
    assert [i.rule for i in flagged["seed-1"]] == ["R14-duplicate"]
    assert [i.rule for i in flagged["seed-5"]] == ["R14-duplicate"]
    assert "seed-5-pair-1-question" in flagged and "seeds" not in flagged


def test_blank_seeds_are_not_reported_as_duplicates_of_each_other(make_skill):
    data = make_skill(n=5)
    data.seeds += [Seed(pairs=[QuestionAnswer()]), Seed(pairs=[QuestionAnswer()])]
    issues = check_contribution(data, path=SKILL_PATH)
    assert {i.rule for i in issues} == {"R11-empty-text"}
    fields = {f"seed-{n}-pair-1-{part}" for n in (6, 7) for part in ("question", "answer")}
    assert {i.field_id for i in issues} == fields


def test_empty_form_reports_each_empty_field_once():
    issues = check_contribution(ContributionData.empty("knowledge"), path=KNOWLEDGE_PATH,
                                attribution_required=False)
    flagged = by_field(issues)
    assert "seed-5-pair-3-answer" in flagged and "document-repo" in flagged and "domain" in flagged
    assert not [i for i in issues if i.rule == "R14-duplicate"]
    assert all(len(found) == 1 for found in flagged.values())


def test_duplicate_questions_inside_a_knowledge_seed(make_knowledge):
    data = make_knowledge()
    data.seeds[1].pairs[2].question = data.seeds[1].pairs[0].question
    flagged = by_field(check_contribution(data, path=KNOWLEDGE_PATH))
    assert set(flagged) == {"seed-2-pair-1-question", "seed-2-pair-3-question"}


def test_duplicate_knowledge_contexts_flag_both(make_knowledge):
    data = make_knowledge()
    data.seeds[4].context = data.seeds[0].context
    flagged = by_field(check_contribution(data, path=KNOWLEDGE_PATH))
    assert set(flagged) == {"seed-1-context", "seed-5-context"}
    assert flagged["seed-5-context"][0].rule == "P2-duplicate-context"


def test_knowledge_context_over_750_words_with_its_qna(make_knowledge):
    data = make_knowledge()
    data.seeds[2].context = "word " * 600 + "end."
    data.seeds[2].pairs[0].answer = "answer " * 260
    issues = check_contribution(data, path=KNOWLEDGE_PATH)
    found = [(i.field_id, i.rule, i.severity) for i in errors(issues)]
    assert found == [("seed-3", "P3-word-limit", "error")]
    assert "750" in errors(issues)[0].message
    warnings = [(i.field_id, i.rule) for i in issues if i.severity == "warning"]
    assert ("seed-3-context", "P3-word-limit") in warnings  # context alone above 500 words
    assert ("seed-3", "P3-word-limit") in warnings  # Q&A above 250 words
    assert issues[0].severity == "error"  # errors come before warnings


def test_too_many_knowledge_pairs_is_a_warning_on_the_seed(make_knowledge):
    data = make_knowledge()
    data.seeds[0].pairs.append(QuestionAnswer("A fourth question?", "A fourth answer."))
    issues = check_contribution(data, path=KNOWLEDGE_PATH)
    assert [(i.field_id, i.rule, i.severity) for i in issues] == [("seed-1", "P6-too-many-qna", "warning")]


def test_too_few_knowledge_pairs(make_knowledge):
    data = make_knowledge()
    del data.seeds[3].pairs[2]
    issues = check_contribution(data, path=KNOWLEDGE_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("seed-4", "R13-too-few-qna")]


def test_short_commit_flags_the_commit_field(make_knowledge):
    data = make_knowledge()
    data.document.commit = "5f7158a"
    issues = check_contribution(data, path=KNOWLEDGE_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("document-commit", "P7-commit-sha")]
    assert "5f7158a" in issues[0].message


def test_pattern_problems_flag_the_patterns_field(make_knowledge):
    data = make_knowledge()
    data.document.patterns = ["a.md", "b.pdf", "a.md", "notes.MD"]
    fields = {i.field_id for i in check_contribution(data, path=KNOWLEDGE_PATH)}
    assert fields == {"document-patterns"}


def test_missing_document_flags_its_fields(make_knowledge):
    data = make_knowledge()
    data.document = None
    flagged = by_field(check_contribution(data, path=KNOWLEDGE_PATH))
    assert {"document-repo", "document-commit", "document-patterns"} <= set(flagged)


def test_missing_attribution_goes_to_the_title(make_skill):
    data = make_skill()
    data.attribution = Attribution()
    issues = check_contribution(data, path=SKILL_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("attribution-title", "R16-attribution-missing")]


def test_attribution_not_required_skips_the_attribution_checks(make_skill):
    data = make_skill()
    data.attribution = Attribution()
    assert check_contribution(data, path=SKILL_PATH, attribution_required=False) == []


def test_incomplete_attribution_flags_each_missing_field(make_knowledge):
    data = make_knowledge()
    data.attribution = Attribution(title="Only a title", revision="r1")
    issues = check_contribution(data, path=KNOWLEDGE_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [
        ("attribution-link", "F1-attribution-field"),
        ("attribution-license", "F1-attribution-field"),
        ("attribution-creators", "F1-attribution-field"),
    ]


def test_skill_attribution_does_not_need_a_link(make_skill):
    data = make_skill()
    data.attribution.link = ""
    assert check_contribution(data, path=SKILL_PATH) == []


@pytest.mark.parametrize("license_text", ["CC BY-NC-SA 4.0", "GPL-3.0", "proprietary"])
def test_license_outside_the_allowlist(make_skill, license_text):
    data = make_skill()
    data.attribution.license = license_text
    issues = check_contribution(data, path=SKILL_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("attribution-license", "F2-attribution-license")]
    assert license_text in issues[0].message and "CC-BY-SA-4.0" in issues[0].message


@pytest.mark.parametrize(
    "license_text", [spdx for spdx, _ in ALLOWED_LICENSES] + ["cc-by-4.0", ALLOWED_LICENSES[2][1]]
)
def test_allowed_licenses_pass(make_skill, license_text):
    data = make_skill()
    data.attribution.license = license_text
    assert check_contribution(data, path=SKILL_PATH) == []


def test_bad_path_goes_to_the_path_field(make_skill):
    issues = check_contribution(make_skill(), path="compositional_skills/Bad Name/qna.yaml")
    assert {i.field_id for i in issues} == {"path"}
    assert {i.rule for i in issues} == {"P8-path-segment", "P8-path-depth"}
    assert any("'Bad Name'" in i.message for i in issues)


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("taxonomy/compositional_skills/a/b/qna.yaml", "P8-path-root"),
        ("compositional_skills/a/../b/c/qna.yaml", "P8-path-traversal"),
        ("elsewhere/a/b/qna.yaml", "P8-path-root"),
        ("compositional_skills/a/b/qna.yml", "R2-file-name"),
    ],
)
def test_other_path_problems_go_to_the_path_field(make_skill, path, rule):
    issues = check_contribution(make_skill(), path=path)
    assert (("path", rule)) in [(i.field_id, i.rule) for i in issues]


def test_knowledge_under_the_skills_root_gets_one_path_issue(make_knowledge):
    issues = check_contribution(make_knowledge(), path="compositional_skills/science/birds/qna.yaml")
    assert [(i.field_id, i.rule) for i in issues] == [("path", "F3-path-kind")]
    assert "knowledge/" in issues[0].message


def test_skill_under_the_knowledge_root_gets_one_path_issue(make_skill):
    issues = check_contribution(make_skill(), path=KNOWLEDGE_PATH)
    assert [(i.field_id, i.rule) for i in issues] == [("path", "F3-path-kind")]


def test_mixed_grounded_seeds_go_to_the_seed_list(make_skill):
    data = make_skill("grounded_skill")
    data.seeds[1].context = ""
    flagged = by_field(check_contribution(data, path=GROUNDED_PATH))
    assert [i.rule for i in flagged["seeds"]] == ["P5-mixed-seeds"]
    assert [i.rule for i in flagged["seed-2-context"]] == ["R11-empty-text"]


def test_long_skill_answer_is_a_warning_on_the_seed(make_skill):
    data = make_skill()
    data.seeds[0].pairs[0].answer = "word " * 300
    issues = check_contribution(data, path=SKILL_PATH)
    assert [(i.field_id, i.rule, i.severity) for i in issues] == [("seed-1", "P3-word-limit", "warning")]


def test_messages_are_the_validators_own(make_skill):
    data = make_skill()
    data.created_by = ""
    (issue,) = check_contribution(data, path=SKILL_PATH)
    message = "'created_by' is empty; please fill it in."
    assert issue == FieldIssue("created_by", message, "R11-empty-text", "error")
    assert issue.to_dict() == {"field_id": "created_by", "message": issue.message, "rule": "R11-empty-text",
                               "severity": "error"}


def test_text_that_needs_quoting_causes_no_lint_or_type_issues(make_skill):
    data = make_skill()
    data.task_description = "Yes"
    data.seeds[0].pairs[0].answer = "No"
    data.seeds[1].pairs[0].answer = "3.0"
    data.seeds[2].pairs[0].question = "key: value # not a comment?"
    data.seeds[3].pairs[0].answer = "Line one  \r\nLine two\t\r\n"
    assert check_contribution(data, path=SKILL_PATH) == []
