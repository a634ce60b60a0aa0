"""Strict mode (LabWeb policy), the attribution rule and the document-check hook."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy_app.schema import Issue, validate_qna, validate_tree

SKILL_PATH = "compositional_skills/linguistics/synonyms/qna.yaml"
GROUNDED_PATH = "compositional_skills/grounded/linguistics/rewrite/qna.yaml"
KNOWLEDGE_PATH = "knowledge/science/animals/chickadee/qna.yaml"
SHA = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697"


def skill(
    questions: list[str] | None = None, contexts: list[str | None] | None = None, version: str = "3"
) -> str:
    questions = questions or [f"Question {i}?" for i in range(1, 6)]
    contexts = contexts or [None] * len(questions)
    text = f"version: {version}\ncreated_by: alice\ntask_description: Rewrite text.\nseed_examples:\n"
    for i, (question, context) in enumerate(zip(questions, contexts, strict=True), start=1):
        text += f"  - question: {question}\n"
        if context is not None:
            text += f"    context: {context}\n"
        text += f"    answer: Answer {i}.\n"
    return text


def knowledge(
    contexts: list[str] | None = None,
    pairs: list[list[tuple[str, str]]] | None = None,
    patterns: tuple[str, ...] = ("chickadee.md",),
    commit: str = SHA,
) -> str:
    contexts = contexts or [f"Context {i}." for i in range(1, 6)]
    pairs = pairs or [[(f"Q{j} of {i}?", f"A{j} of {i}.") for j in range(1, 4)] for i in range(1, 6)]
    text = (
        "version: 3\ncreated_by: alice\ndomain: birds\ndocument_outline: About chickadees.\nseed_examples:\n"
    )
    for context, seed_pairs in zip(contexts, pairs, strict=True):
        text += f"  - context: {context}\n    questions_and_answers:\n"
        for question, answer in seed_pairs:
            text += f"      - question: {question}\n        answer: {answer}\n"
    text += f"document:\n  repo: https://github.com/example/k.git\n  commit: {commit}\n  patterns:\n"
    return text + "".join(f"    - '{p}'\n" for p in patterns)


def strict(text: str, path: str = SKILL_PATH, **kwargs):
    kwargs.setdefault("attribution", b"Title: x\n")
    return validate_qna(text, path=path, mode="strict", **kwargs)


def rules(result) -> list[tuple[str, str]]:
    return [(i.rule, i.severity) for i in result.errors + result.warnings]


def test_clean_files_pass_strict():
    assert strict(skill()).valid and not strict(skill()).warnings
    assert strict(knowledge(), KNOWLEDGE_PATH).valid and not strict(knowledge(), KNOWLEDGE_PATH).warnings


def test_strict_includes_the_ci_rules():
    result = strict(skill(version="2"), attribution=None, attribution_present=False)
    assert {"R7-version-mismatch", "R16-attribution-missing"} <= {i.rule for i in result.errors}


def test_version_must_be_the_integer_three():
    result = strict(skill(version="3.0"))
    assert rules(result) == [("P1-version", "error")]
    assert result.errors[0].message == "The version must be written as the whole number 3, but it is 3.0."
    assert validate_qna(skill(version="3.0"), path=SKILL_PATH, mode="ci", attribution=b"x").valid


def test_duplicate_questions_in_a_skill():
    result = strict(skill(["Same?", "Other?", "  Same?", "Third?", "Fourth?"]))
    [issue] = result.errors
    assert issue.rule == "P2-duplicate-question"
    assert issue.message.startswith('Seed examples 1 and 3 ask the same question: "Same?".')
    assert (issue.line, issue.yaml_path) == (9, ".seed_examples[2].question")


def test_grounded_skill_may_repeat_a_question_for_different_contexts():
    questions = ["Rewrite this text."] * 5
    contexts = [f"Text number {i}." for i in range(1, 6)]
    assert strict(skill(questions, contexts), GROUNDED_PATH).valid
    contexts[3] = contexts[0]
    result = strict(skill(questions, contexts), GROUNDED_PATH)
    assert [i.message.split(":")[0] for i in result.errors] == [
        "Seed examples 1 and 4 ask the same question with the same context"
    ]


def test_knowledge_duplicates():
    contexts = ["Context A.", "Context B.", "Context A.", "Context C.", "Context D."]
    pairs = [[(f"Q{j} of {i}?", f"A{j} of {i}.") for j in range(1, 4)] for i in range(1, 6)]
    pairs[1][2] = ("Q1 of 2?", "Another answer.")
    result = strict(knowledge(contexts, pairs), KNOWLEDGE_PATH)
    assert [(i.rule, i.message) for i in result.errors] == [
        (
            "P2-duplicate-question",
            'Seed example 2 asks the same question more than once (questions 1 and 3): "Q1 of 2?".',
        ),
        (
            "P2-duplicate-context",
            "Seed examples 1 and 3 use the same context; each seed example needs its own "
            "excerpt of the document.",
        ),
    ]


def test_whitespace_only_text():
    result = strict(skill(["Question 1?", "'   '", "Question 3?", "Question 4?", "Question 5?"]))
    [issue] = result.errors
    assert issue.rule == "P4-blank-text"
    assert (
        issue.message
        == "The question of seed example 2 contains only spaces or line breaks; write some text."
    )
    assert (issue.line, issue.column) == (7, 15)


def test_knowledge_word_limits():
    long_context = " ".join(["word"] * 501)
    contexts = [long_context] + [f"Context {i}." for i in range(2, 6)]
    result = strict(knowledge(contexts), KNOWLEDGE_PATH)
    assert rules(result) == [("P3-word-limit", "warning")]
    assert "501 words" in result.warnings[0].message

    answer = " ".join(["answer"] * 90)
    pairs = [[(f"Q{j} of {i}?", answer if i == 2 else f"A{j}.") for j in range(1, 4)] for i in range(1, 6)]
    result = strict(knowledge(pairs=pairs), KNOWLEDGE_PATH)
    assert rules(result) == [("P3-word-limit", "warning")]
    assert "have 279 words together" in result.warnings[0].message

    contexts = [" ".join(["word"] * 480)] + [f"Context {i}." for i in range(2, 6)]
    pairs[0] = pairs[1]
    result = strict(knowledge(contexts, pairs), KNOWLEDGE_PATH)
    assert sorted(rules(result)) == [
        ("P3-word-limit", "error"),
        ("P3-word-limit", "warning"),
        ("P3-word-limit", "warning"),
    ]
    [error] = result.errors
    assert error.message.startswith("Seed example 1 has 759 words")
    assert (error.line, error.yaml_path) == (6, ".seed_examples[0]")


def test_skill_word_limits_are_warnings():
    questions = [" ".join(["why"] * 300)] + [f"Question {i}?" for i in range(2, 6)]
    result = strict(skill(questions))
    assert result.valid and rules(result) == [("P3-word-limit", "warning")]


def test_mixed_grounded_and_freeform_seeds():
    result = strict(skill(contexts=["Some text.", None, None, "More text.", None]), GROUNDED_PATH)
    [issue] = result.errors
    assert issue.rule == "P5-mixed-seeds"
    assert issue.message.startswith("Seed examples 1 and 4 have a context but 2, 3 and 5 do not.")
    assert (issue.line, issue.column) == (4, 1)


def test_more_than_three_pairs_is_a_warning():
    pairs = [[(f"Q{j} of {i}?", f"A{j}.") for j in range(1, 6 if i == 3 else 4)] for i in range(1, 6)]
    result = strict(knowledge(pairs=pairs), KNOWLEDGE_PATH)
    assert result.valid and rules(result) == [("P6-too-many-qna", "warning")]
    assert "only uses the first 3" in result.warnings[0].message


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (
            ("a.md", "b.pdf"),
            ["The document patterns mix Markdown (.md) and PDF (.pdf) files; use one type per leaf."],
        ),
        (
            ("notes.MD",),
            [
                "File pattern 1 ('notes.MD') must end in .md or .pdf (lower case): only Markdown and PDF "
                "documents can be used."
            ],
        ),
        (
            ("docs/*",),
            [
                "File pattern 1 ('docs/*') must end in .md or .pdf (lower case): only Markdown and PDF "
                "documents can be used."
            ],
        ),
        (("*.md", "guide/**/*.md"), []),
    ],
)
def test_document_patterns(patterns, expected):
    result = strict(knowledge(patterns=patterns), KNOWLEDGE_PATH)
    assert [i.message for i in result.errors if i.rule == "R18-document-type"] == expected
    assert result.valid == (not expected)


def test_commit_must_be_a_full_sha():
    result = strict(knowledge(commit="5f7158a"), KNOWLEDGE_PATH)
    [issue] = result.errors
    assert issue.rule == "P7-commit-sha"
    assert (issue.line, issue.column) == (48, 11)
    assert validate_qna(knowledge(commit="5f7158a"), path=KNOWLEDGE_PATH, mode="ci", attribution=b"x").valid


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("foundational_skills/reasoning/logic/qna.yaml", "P8-path-root"),
        ("taxonomy/compositional_skills/linguistics/synonyms/qna.yaml", "P8-path-root"),
        ("compositional_skills/Linguistics/synonyms/qna.yaml", "P8-path-segment"),
        ("compositional_skills/linguistics/my synonyms/qna.yaml", "P8-path-segment"),
        ("compositional_skills/synonyms/qna.yaml", "P8-path-depth"),
        ("compositional_skills/linguistics/../synonyms/x/qna.yaml", "P8-path-traversal"),
    ],
)
def test_path_rules(path, rule):
    result = strict(skill(), path)
    assert rule in [i.rule for i in result.errors], result.errors


def test_absolute_path_inside_a_taxonomy_is_fine():
    assert strict(skill(), "/srv/taxonomy/" + SKILL_PATH).valid


def test_knowledge_content_must_live_under_knowledge():
    result = strict(knowledge(), "compositional_skills/science/chickadee/qna.yaml")
    assert "P8-path-kind" in [i.rule for i in result.errors]


def test_attribution_rule():
    assert validate_qna(skill(), path=SKILL_PATH, mode="ci").valid  # unknown: not checked
    missing = validate_qna(skill(), path=SKILL_PATH, mode="ci", attribution_present=False)
    assert [(i.rule, i.detail) for i in missing.errors] == [
        ("R16-attribution-missing", 'The "attribution.txt" file does not exist or is not a file')
    ]
    empty = validate_qna(skill(), path=SKILL_PATH, mode="ci", attribution=b"", attribution_present=True)
    assert [(i.rule, i.detail) for i in empty.errors] == [
        (
            "R16-attribution-empty",
            'The "compositional_skills/linguistics/synonyms/attribution.txt" file must be non-empty',
        )
    ]
    assert validate_qna(skill(), path=SKILL_PATH, mode="ilab", attribution_present=False).valid
    assert validate_qna(skill(), path=SKILL_PATH, mode="ci", attribution="   \n").valid
    assert [i.rule for i in strict(skill(), attribution="   \n").errors] == ["P9-attribution-blank"]


class RecordingCheck:
    def __init__(self, issues=None, error=None):
        self.calls = []
        self.issues = issues or []
        self.error = error

    def __call__(self, document_block):
        self.calls.append(document_block)
        if self.error:
            raise self.error
        return self.issues


def test_document_check_is_called_for_clean_knowledge_files():
    found = Issue(
        rule="R17-documents",
        message="Couldn't find any valid knowledge documents.",
        yaml_path=".document.patterns",
    )
    check = RecordingCheck([found])
    result = validate_qna(knowledge(), path=KNOWLEDGE_PATH, mode="ci", attribution=b"x", document_check=check)
    assert check.calls == [
        {"repo": "https://github.com/example/k.git", "commit": SHA, "patterns": ["chickadee.md"]}
    ]
    assert result.errors == [found]


def test_document_check_is_skipped_when_there_are_errors_or_no_document():
    check = RecordingCheck()
    validate_qna(knowledge(commit=""), path=KNOWLEDGE_PATH, mode="ci", attribution=b"x", document_check=check)
    validate_qna(skill(), path=SKILL_PATH, mode="ci", attribution=b"x", document_check=check)
    assert check.calls == []


def test_failing_document_check_becomes_an_issue():
    check = RecordingCheck(error=OSError("network is unreachable"))
    result = validate_qna(knowledge(), path=KNOWLEDGE_PATH, mode="ilab", document_check=check)
    assert [(i.rule, i.message) for i in result.errors] == [
        ("R17-documents", "The knowledge documents could not be checked: network is unreachable")
    ]


def test_strict_on_the_current_upstream_tree(request):
    corpus = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "taxonomy-2025"
    if not corpus.is_dir():
        pytest.skip(f"no corpus at {corpus}")
    results = validate_tree(corpus, "strict")
    assert len(results) == 5
    assert all(r.valid and not r.warnings for r in results), [(r.path, r.errors, r.warnings) for r in results]
