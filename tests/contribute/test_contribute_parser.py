"""Reading the form's POST into ContributionData, and the row operations: whatever a browser or a person sends."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from taxonomy_app.contribute_forms import (
    MAX_PAIRS,
    MAX_SEEDS,
    FormRefused,
    apply_row_operation,
    field_label,
    parse_contribution_post,
    plain_message,
)
from taxonomy_app.qna import ContributionData, FieldIssue, QuestionAnswer, Seed


def skill(*questions: str, kind: str = "freeform_skill") -> ContributionData:
    return ContributionData(kind=kind, seeds=[Seed(context=f"text {q}", pairs=[QuestionAnswer(q, f"a {q}")])
                                              for q in questions])


def parse(post: dict, kind: str = "freeform_skill", previous: ContributionData | None = None):
    return parse_contribution_post(post, kind=kind, previous=previous or ContributionData.empty(kind))


def questions(data: ContributionData) -> list[str]:
    return [seed.pairs[0].question for seed in data.seeds]


def test_rows_are_read_in_number_order_whatever_the_order_of_the_keys():
    post = {"seeds-count": "3", "seed-3-pair-1-question": "c", "seed-1-pair-1-question": "a",
            "seed-2-pair-1-answer": "B", "seed-2-pair-1-question": "b", "seed-1-pair-1-answer": "A"}
    data = parse(post).data
    assert questions(data) == ["a", "b", "c"]
    assert [s.pairs[0].answer for s in data.seeds] == ["A", "B", ""]


def test_added_and_removed_rows_follow_the_post():
    added = parse({"seeds-count": "6", **{f"seed-{n}-pair-1-question": f"q{n}" for n in range(1, 7)}}).data
    assert questions(added) == [f"q{n}" for n in range(1, 7)]
    removed = parse({"seeds-count": "2", "seed-1-pair-1-question": "x", "seed-2-pair-1-question": "y"},
                    previous=skill("1", "2", "3", "4", "5")).data
    assert questions(removed) == ["x", "y"]


def test_gaps_close_up_and_missing_rows_are_padded_to_the_count():
    gaps = parse({"seeds-count": "3", "seed-1-pair-1-question": "a", "seed-2-pair-1-question": "b",
                  "seed-5-pair-1-question": "e"}).data
    assert questions(gaps) == ["a", "b", "e"]
    padded = parse({"seeds-count": "4", "seed-1-pair-1-question": "a"}).data
    assert questions(padded) == ["a", "", "", ""]


def test_a_missing_count_is_taken_from_the_rows_and_no_seed_fields_keep_the_stored_seeds():
    assert questions(parse({"seed-1-pair-1-question": "a", "seed-2-pair-1-question": "b"}).data) == ["a", "b"]
    stored = skill("one", "two")
    assert questions(parse({"title": "only the title"}, previous=stored).data) == ["one", "two"]


def test_junk_is_ignored():
    post = QueryDict(mutable=True)
    post.update({"seeds-count": "two", "seed-x-pair-1-question": "junk", "seed-1-pair-1-shoe": "junk",
                 "seed-1234567-context": "junk", "seed-1-pair-1-question": "kept", "seed--1-context": "junk",
                 "unknown": "junk", "document-repo": "ignored for a skill"})
    post.appendlist("seed-1-pair-1-answer", "first")
    post.appendlist("seed-1-pair-1-answer", "last")
    data = parse(post).data
    assert questions(data) == ["kept"] and data.seeds[0].pairs[0].answer == "last"
    assert data.document is None


def test_more_than_the_cap_is_refused_with_a_message():
    exactly = {f"seed-{n}-pair-1-question": f"q{n}" for n in range(1, MAX_SEEDS + 1)}
    assert len(parse(exactly).data.seeds) == MAX_SEEDS
    with pytest.raises(FormRefused, match=f"at most {MAX_SEEDS} examples; this form sent {MAX_SEEDS + 1}"):
        parse({**exactly, f"seed-{MAX_SEEDS + 1}-pair-1-question": "one too many"})
    with pytest.raises(FormRefused, match="at most 500 examples"):
        parse({"seeds-count": "999999"})
    with pytest.raises(FormRefused, match=f"at most {MAX_PAIRS} questions per example"):
        parse({"seeds-count": "1", "seed-1-pairs": str(MAX_PAIRS + 1)}, kind="knowledge")


def test_contexts_belong_to_grounded_skills_and_knowledge_only():
    post = {"seeds-count": "1", "seed-1-context": "A text.", "seed-1-pair-1-question": "q"}
    assert parse(post).data.seeds[0].context == ""
    assert parse(post, kind="grounded_skill").data.seeds[0].context == "A text."
    assert parse(post, kind="knowledge").data.seeds[0].context == "A text."


def test_a_skill_has_one_pair_and_knowledge_follows_its_pair_counts():
    post = {"seeds-count": "1", "seed-1-pair-1-question": "q1", "seed-1-pair-2-question": "q2",
            "seed-1-pairs": "4"}
    assert [p.question for p in parse(post).data.seeds[0].pairs] == ["q1"]
    knowledge = parse(post, kind="knowledge").data.seeds[0]
    assert [p.question for p in knowledge.pairs] == ["q1", "q2", "", ""]
    # A row the count does not know about yet still comes in; a new knowledge row gets three empty pairs.
    padded = parse({"seeds-count": "2", "seed-1-pair-1-question": "q"}, kind="knowledge").data
    assert [len(s.pairs) for s in padded.seeds] == [1, 3]


def test_top_fields_document_attribution_and_consent():
    post = {"title": "T", "description": "D", "leaf_name": "name", "parent_path": "knowledge/science",
            "domain": "astronomy", "document_outline": "O", "document-repo": "https://example.test/r",
            "document-commit": "a" * 40, "document-patterns": "one.md\r\n\r\n  two/*.md  \n",
            "attribution-title": "Work", "attribution-license": "MIT", "dco-shown": "1"}
    parsed = parse(post, kind="knowledge")
    assert (parsed.title, parsed.description, parsed.leaf_name, parsed.parent_path) == ("T", "D", "name",
                                                                                         "knowledge/science")
    assert parsed.data.domain == "astronomy" and parsed.data.document_outline == "O"
    assert parsed.data.document.patterns == ["one.md", "two/*.md"] and parsed.data.document.commit == "a" * 40
    assert parsed.data.attribution.title == "Work" and parsed.data.attribution.license == "MIT"
    assert parsed.dco_signed_off is False  # the box was shown and left unticked
    assert parse({**post, "dco": "on"}, kind="knowledge").dco_signed_off is True
    assert parse({"title": "x"}).dco_signed_off is None  # not on this form: leave it as it is
    assert parse({"parent_path": "a", "choose_parent": "/compositional_skills/arts/"}).parent_path == \
        "compositional_skills/arts"


def test_row_operations():
    data = skill("a", "b", "c")
    assert apply_row_operation(data, "up-seed-3") == "seed-2-up"
    assert questions(data) == ["a", "c", "b"]
    assert apply_row_operation(data, "up-seed-2") == "seed-1-down"  # first row: its "up" is disabled
    assert apply_row_operation(data, "down-seed-1") == "seed-2-down"
    assert apply_row_operation(data, "down-seed-2") == "seed-3-up"
    assert questions(data) == ["a", "b", "c"]
    assert apply_row_operation(data, "remove-seed-2") == "seed-2-remove"
    assert questions(data) == ["a", "c"]
    assert apply_row_operation(data, "add-seed") == "seed-3-pair-1-question"
    assert questions(data) == ["a", "c", ""]
    knowledge = ContributionData.empty("knowledge")
    assert apply_row_operation(knowledge, "add-pair-2") == "seed-2-pair-4-question"
    assert len(knowledge.seeds[1].pairs) == 4
    assert apply_row_operation(knowledge, "remove-pair-2-1") == "seed-2-add-pair"
    assert len(knowledge.seeds[1].pairs) == 3
    assert apply_row_operation(knowledge, "add-seed") == "seed-6-context"
    assert len(knowledge.seeds[5].pairs) == 3
    lone = skill("only")
    assert apply_row_operation(lone, "remove-seed-1") == "add-seed" and lone.seeds == []


@pytest.mark.parametrize("op", ["", "explode", "up-seed-9", "remove-seed-0", "remove-pair-1-7", "up-seed-1; rm"])
def test_unknown_or_stale_operations_are_refused(op):
    with pytest.raises(FormRefused):
        apply_row_operation(skill("a", "b"), op)


def test_messages_use_the_words_of_the_form():
    empty = FieldIssue("task_description", "'task_description' is empty; please fill it in.", "R11-empty-text")
    assert plain_message(empty) == "The description of the skill is empty; please fill it in."
    duplicate = FieldIssue("seed-5-pair-1-question", "Seed examples 1 and 5 ask the same question: \"x\". "
                                                     "Each seed example should teach something different.", "P2")
    assert plain_message(duplicate) == ("Examples 1 and 5 ask the same question: \"x\". Each example should teach "
                                        "something different.")
    assert field_label("seed-3-pair-2-answer", "knowledge") == "Example 3: answer 2"
    assert field_label("seed-3-pair-1-question", "freeform_skill") == "Example 3: question"
    assert field_label("seed-2-context", "grounded_skill") == "Example 2: text to work on"
    assert field_label(None, "knowledge") == "The whole contribution"
