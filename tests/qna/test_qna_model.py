"""The form data classes, their JSON form for drafts, word counts and attribution.txt."""

from __future__ import annotations

import json

import pytest

from taxonomy_app.qna import (
    ALLOWED_LICENSES,
    KINDS,
    Attribution,
    ContributionData,
    DocumentRef,
    QuestionAnswer,
    Seed,
    parse_attribution_txt,
    to_attribution_txt,
    word_count,
)


def test_kinds_and_licenses():
    assert KINDS == ("freeform_skill", "grounded_skill", "knowledge")
    assert [spdx for spdx, _ in ALLOWED_LICENSES] == [
        "CC0-1.0", "CDLA-Permissive-2.0", "CC-BY-4.0", "CC-BY-SA-4.0", "Apache-2.0", "MIT"
    ]
    assert dict(ALLOWED_LICENSES)["CC-BY-4.0"] == "Creative Commons Attribution 4.0 (CC-BY-4.0)"
    assert all(label.endswith(f"({spdx})") for spdx, label in ALLOWED_LICENSES)


@pytest.mark.parametrize("kind", ["freeform_skill", "grounded_skill"])
def test_empty_skill_form(kind):
    data = ContributionData.empty(kind)
    assert data.kind == kind and data.document is None
    assert data.seeds == [Seed(pairs=[QuestionAnswer()]) for _ in range(5)]


def test_empty_knowledge_form():
    data = ContributionData.empty("knowledge")
    assert data.document == DocumentRef()
    assert len(data.seeds) == 5 and all(len(seed.pairs) == 3 for seed in data.seeds)
    assert data.seeds[0] is not data.seeds[1] and data.seeds[0].pairs[0] is not data.seeds[0].pairs[1]


def test_empty_refuses_unknown_kind():
    with pytest.raises(ValueError):
        ContributionData.empty("recipe")


def test_dict_round_trip_is_json_serialisable():
    data = ContributionData(
        kind="knowledge",
        created_by="me",
        domain="birds",
        document_outline="outline",
        seeds=[Seed(context="c", pairs=[QuestionAnswer("q", "a")])],
        document=DocumentRef("r", "c", ["*.md"]),
        attribution=Attribution("t", "l", "r", "MIT", "me"),
    )
    stored = json.loads(json.dumps(data.to_dict()))
    assert ContributionData.from_dict(stored) == data
    assert stored["seeds"] == [{"context": "c", "pairs": [{"question": "q", "answer": "a"}]}]
    skill = ContributionData.empty("freeform_skill")
    assert ContributionData.from_dict(json.loads(json.dumps(skill.to_dict()))) == skill


@pytest.mark.parametrize(
    "junk", [None, 3, "text", [], [1, 2], {"kind": 5}, {"seeds": "x"}, {"attribution": []}]
)
def test_from_dict_never_raises_on_junk(junk):
    data = ContributionData.from_dict(junk)
    assert data.kind in KINDS and isinstance(data.seeds, list)
    assert isinstance(data.attribution, Attribution)


def test_from_dict_coerces_wrong_types_and_ignores_unknown_keys():
    data = ContributionData.from_dict(
        {
            "kind": "grounded_skill",
            "created_by": 42,
            "task_description": None,
            "future_field": "ignored",
            "seeds": [
                {"context": ["not", "text"], "pairs": [{"question": "q", "answer": {"x": 1}}, "junk", None]},
                "junk seed",
                {"pairs": "not a list"},
            ],
            "document": "not a mapping",
            "attribution": {"title": "T", "license": 3, "extra": "x"},
        }
    )
    assert data.created_by == "" and data.task_description == ""
    assert data.seeds == [
        Seed(context="", pairs=[QuestionAnswer("q", ""), QuestionAnswer(), QuestionAnswer()]),
        Seed(),
        Seed(),
    ]
    assert data.document is None
    assert data.attribution == Attribution(title="T")


def test_from_dict_reads_old_qna_shaped_drafts():
    data = ContributionData.from_dict(
        {
            "seed_examples": [
                {"context": "ctx", "question": "q1", "answer": "a1"},
                {"context": "k", "questions_and_answers": [{"question": "q2", "answer": "a2"}]},
            ],
            "document": {"repo": "r", "commit": 7, "patterns": "one.md"},
        }
    )
    assert data.kind == "knowledge"  # no kind stored: a document means knowledge
    assert data.seeds[0] == Seed(context="ctx", pairs=[QuestionAnswer("q1", "a1")])
    assert data.seeds[1] == Seed(context="k", pairs=[QuestionAnswer("q2", "a2")])
    assert data.document == DocumentRef(repo="r", commit="", patterns=["one.md"])


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        ({"kind": "nonsense", "seeds": [{"context": "c"}]}, "grounded_skill"),
        ({"seeds": [{"context": " "}]}, "freeform_skill"),
        ({"domain": "birds"}, "knowledge"),
        ({}, "freeform_skill"),
    ],
)
def test_from_dict_guesses_a_missing_kind(stored, kind):
    assert ContributionData.from_dict(stored).kind == kind


def test_document_patterns_drop_non_text():
    assert DocumentRef.from_dict({"patterns": ["a.md", 3, None, "b.md"]}).patterns == ["a.md", "b.md"]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0), ("   ", 0), ("one", 1), ("  two words  ", 2), ("a\tb\nc\r\nd", 4), ("日本語 テキスト", 2),
        (None, 0), (5, 0),
    ],
)
def test_word_count(text, count):
    assert word_count(text) == count


# -- attribution.txt ---------------------------------------------------------------------------------------


def test_attribution_txt_format():
    attribution = Attribution(title="Black-capped chickadee", link="https://example.test/w", revision="rev 1",
                              license="CC-BY-SA-4.0", creators="Wikipedia Authors")
    assert to_attribution_txt(attribution) == (
        "Title of work: Black-capped chickadee\n"
        "Link to work: https://example.test/w\n"
        "Revision: rev 1\n"
        "License of the work: CC-BY-SA-4.0\n"
        "Creator names: Wikipedia Authors\n"
    )


def test_attribution_txt_without_revision_and_with_empty_values():
    text = to_attribution_txt(Attribution(title="  My   own\nwork ", license="MIT"))
    assert text == "Title of work: My own work\nLink to work:\nLicense of the work: MIT\nCreator names:\n"
    assert not any(line != line.rstrip() for line in text.split("\n"))
    assert parse_attribution_txt(text) == Attribution(title="My own work", license="MIT")


def test_parse_attribution_is_tolerant():
    text = (
        "\ufeffSome introduction line\r\n"
        "TITLE OF WORK:   Swifties  \r\n"
        "link to  work: https://en.wikipedia.org/wiki/Swifties\r\n"
        "License: CC-BY-SA-4.0\r\n"
        "Creators: Wikipedia Authors\r\n"
        "Copyright: not a field we keep\r\n"
        "\r\n"
        "Title of work: a second work is ignored\r\n"
    )
    assert parse_attribution_txt(text.encode()) == Attribution(
        title="Swifties",
        link="https://en.wikipedia.org/wiki/Swifties",
        license="CC-BY-SA-4.0",
        creators="Wikipedia Authors",
    )


@pytest.mark.parametrize("junk", ["", "no colons at all", b"\xff\xfe\x00", None, 12])
def test_parse_attribution_of_junk_is_empty(junk):
    assert parse_attribution_txt(junk) == Attribution()


def _junk(rng, depth: int = 0):
    choices = [None, 0, 1.5, True, "", "text", "knowledge", "grounded_skill", [], {}]
    if depth < 3:
        keys = ["kind", "seeds", "pairs", "question", "answer", "context", "document", "patterns", "repo",
                "attribution", "title", "license", "created_by", "domain", "questions_and_answers"]
        choices += [
            [_junk(rng, depth + 1) for _ in range(rng.randint(0, 4))],
            {rng.choice(keys): _junk(rng, depth + 1) for _ in range(rng.randint(0, 6))},
        ]
    return rng.choice(choices)


def test_random_junk_drafts_always_give_a_form_that_writes_and_checks():
    import random

    import yaml

    from taxonomy_app.qna import check_contribution, to_qna_yaml

    rng = random.Random(7)
    for _ in range(150):
        top = ["kind", "seeds", "document", "attribution", "created_by", "domain", "task_description"]
        data = ContributionData.from_dict({rng.choice(top): _junk(rng) for _ in range(rng.randint(0, 7))})
        assert ContributionData.from_dict(json.loads(json.dumps(data.to_dict()))) == data
        assert yaml.safe_load(to_qna_yaml(data))["version"] == 3
        issues = check_contribution(data, path="knowledge/a/b/qna.yaml")
        assert all(issue.rule != "internal" for issue in issues)
