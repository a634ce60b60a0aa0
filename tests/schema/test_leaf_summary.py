"""summarize_leaf against the corpus index, and its tolerance of malformed contents."""

from __future__ import annotations

import pytest
import yaml

from taxonomy_app.schema import LeafSummary, summarize_leaf, validate_qna


def test_summary_matches_the_index(corpus_entry, corpus_dir, corpus_index):
    tree, rel = corpus_entry
    contents = yaml.safe_load((corpus_dir / tree / rel).read_text(encoding="utf-8"))
    summary = summarize_leaf(contents, rel)
    expected = corpus_index[(tree, rel)]
    assert summary.leaf_type == expected["type"]
    assert summary.version == expected["version"]
    assert summary.created_by == expected["created_by"]
    assert summary.task_description == expected["task_description"]
    assert summary.domain == expected["domain"]
    assert summary.document_outline == expected["document_outline"]
    assert summary.document == expected["document"]
    assert summary.seed_count == expected["seed_examples"]
    assert summary.qna_pair_count == expected["qna_pairs"]
    assert len(summary.questions_and_answers) == expected["qna_pairs"]


def test_knowledge_summary_details(corpus_dir):
    rel = "knowledge/science/animals/birds/black_capped_chickadee/qna.yaml"
    data = (corpus_dir / "taxonomy-2025" / rel).read_bytes()
    summary = summarize_leaf(validate_qna(data, path=rel).contents, rel)
    assert len(summary.contexts) == 5
    question, answer, context = summary.questions_and_answers[0]
    assert context == summary.contexts[0]
    assert question and answer


@pytest.mark.parametrize(
    "contents",
    [
        {},
        {"seed_examples": "not a list", "version": "three", "created_by": 42},
        {"seed_examples": [None, 3, "x", {"question": None, "answer": ["a"]}], "version": True},
        {"seed_examples": [{"context": "  ", "question": "q", "answer": "a"}], "document": "oops"},
        {
            "seed_examples": [
                {"questions_and_answers": "x"},
                {"questions_and_answers": [1, {"question": 2}]},
            ],
            "document": {"repo": "r"},
        },
        {"version": float("inf"), "domain": {"a": 1}},
    ],
)
def test_malformed_contents_never_raise(contents):
    summary = summarize_leaf(contents, "knowledge/a/b/qna.yaml")
    assert isinstance(summary, LeafSummary)
    assert summary.created_by is None or isinstance(summary.created_by, str)
    assert summary.domain is None or isinstance(summary.domain, str)
    assert summary.version is None or isinstance(summary.version, int)


def test_skill_types():
    freeform = {"seed_examples": [{"question": "q", "answer": "a"}]}
    grounded = {"seed_examples": [{"question": "q", "answer": "a", "context": "c"}]}
    assert summarize_leaf(freeform, "compositional_skills/a/b/qna.yaml").leaf_type == "freeform_skill"
    summary = summarize_leaf(grounded, "compositional_skills/a/b/qna.yaml")
    assert (summary.leaf_type, summary.contexts, summary.questions_and_answers) == (
        "grounded_skill",
        ["c"],
        [("q", "a", "c")],
    )
    assert summarize_leaf({"document": {}}, "elsewhere/qna.yaml").leaf_type == "knowledge"
    assert summarize_leaf({"version": "3"}, "x").version == 3
