"""Round trips through the form data with the real upstream files of the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from taxonomy_app.qna import (
    from_qna_yaml,
    normalize_text,
    parse_attribution_txt,
    to_attribution_txt,
    to_qna_yaml,
)
from taxonomy_app.schema import validate_qna

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
V3_FILES = [
    "compositional_skills/grounded/linguistics/inclusion/qna.yaml",
    "compositional_skills/grounded/linguistics/writing/rewriting/qna.yaml",
    "compositional_skills/linguistics/synonyms/qna.yaml",
    "knowledge/arts/music/fandom/swifties/qna.yaml",
    "knowledge/science/animals/birds/black_capped_chickadee/qna.yaml",
]
EXPECTED_KIND = {
    "compositional_skills/grounded/linguistics/inclusion/qna.yaml": "grounded_skill",
    "compositional_skills/grounded/linguistics/writing/rewriting/qna.yaml": "grounded_skill",
    "compositional_skills/linguistics/synonyms/qna.yaml": "freeform_skill",
    "knowledge/arts/music/fandom/swifties/qna.yaml": "knowledge",
    "knowledge/science/animals/birds/black_capped_chickadee/qna.yaml": "knowledge",
}


@pytest.fixture
def tree_2025(corpus) -> Path:
    return corpus / "taxonomy-2025"


@pytest.mark.parametrize("rel", V3_FILES)
def test_v3_file_round_trips_through_the_form(tree_2025, rel):
    raw = (tree_2025 / rel).read_bytes()
    data, issues = from_qna_yaml(raw, path=rel)
    assert issues == []
    assert data.kind == EXPECTED_KIND[rel]
    out = to_qna_yaml(data)
    assert yaml.safe_load(out) == yaml.safe_load(raw)
    # writing the form again changes nothing
    again, _ = from_qna_yaml(out, path=rel)
    assert again == data and to_qna_yaml(again) == out


@pytest.mark.parametrize("rel", V3_FILES)
def test_written_corpus_content_passes_the_validator(tree_2025, rel):
    data, _ = from_qna_yaml((tree_2025 / rel).read_bytes(), path=rel)
    attribution = (tree_2025 / rel).with_name("attribution.txt").read_bytes()
    out = to_qna_yaml(data).encode()
    assert validate_qna(out, path=rel, mode="ilab").issues == []
    strict = validate_qna(out, path=rel, mode="strict", attribution=attribution)
    assert strict.valid and not strict.warnings, strict.issues


@pytest.mark.parametrize("rel", V3_FILES)
def test_corpus_attribution_survives_parse_and_write(tree_2025, rel):
    text = (tree_2025 / rel).with_name("attribution.txt").read_text(encoding="utf-8")
    attribution = parse_attribution_txt(text)
    assert attribution.title and attribution.license and attribution.creators
    assert parse_attribution_txt(to_attribution_txt(attribution)) == attribution


def test_chickadee_attribution_fields(tree_2025):
    path = tree_2025 / "knowledge/science/animals/birds/black_capped_chickadee/attribution.txt"
    attribution = parse_attribution_txt(path.read_bytes())
    assert attribution.title == "Black-capped chickadee"
    assert attribution.link == "https://en.wikipedia.org/wiki/Black-capped_chickadee"
    assert attribution.revision.endswith("oldid=1219937468")
    assert attribution.license == "CC-BY-SA-4.0"
    assert attribution.creators == "Wikipedia Authors"
    assert to_attribution_txt(attribution) == path.read_text(encoding="utf-8")


def test_old_version_files_convert_to_v3_form_data(corpus):
    """Every v1/v2 file of the larger 2024 tree: all questions, answers and contexts reach the form and
    the written file parses."""
    base = corpus / "taxonomy-2024"
    files = sorted(base.rglob("qna.yaml"))
    assert len(files) > 100
    kinds = set()
    for file in files:
        rel = file.relative_to(base).as_posix()
        raw = file.read_bytes()
        original = yaml.safe_load(raw)
        data, issues = from_qna_yaml(raw, path=rel)
        kinds.add(data.kind)
        written = yaml.safe_load(to_qna_yaml(data))
        assert written["version"] == 3
        if data.kind == "knowledge":
            questions = [p["question"] for s in written["seed_examples"] for p in s["questions_and_answers"]]
            assert questions == [normalize_text(s["question"]) for s in original["seed_examples"]], rel
            assert all(len(s["questions_and_answers"]) <= 3 for s in written["seed_examples"])
            assert any(i.rule == "R9-missing-key" for i in issues)  # no document_outline in v1
            continue
        expected = [
            {k: normalize_text(seed[k]) for k in ("context", "question", "answer")
             if k in seed and (k != "context" or seed[k])}
            for seed in original["seed_examples"]
        ]
        if data.kind == "grounded_skill":
            expected = [{"context": "", **seed} for seed in expected]
        assert written["seed_examples"] == expected, rel
        assert written["task_description"] == normalize_text(original.get("task_description"))
    assert kinds == {"freeform_skill", "grounded_skill", "knowledge"}
