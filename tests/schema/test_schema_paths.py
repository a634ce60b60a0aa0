"""Path handling: schema choice, ilab's file detection, validate_file and validate_tree."""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

import pytest

from taxonomy_app.schema import (
    ValidationMode,
    is_taxonomy_file,
    schema_kind,
    taxonomy_relative,
    validate_file,
    validate_qna,
    validate_tree,
)

SKILL = "version: 3\ncreated_by: alice\ntask_description: t\nseed_examples:\n" + "".join(
    f"  - question: Q{i}?\n    answer: A{i}.\n" for i in range(5)
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("compositional_skills/a/b/qna.yaml", "compositional_skills/a/b/qna.yaml"),
        ("/home/me/taxonomy/knowledge/a/b/qna.yaml", "knowledge/a/b/qna.yaml"),
        ("/x/knowledge/old/compositional_skills/a/qna.yaml", "compositional_skills/a/qna.yaml"),
        ("knowledge/a/../../compositional_skills/b/c/qna.yaml", "compositional_skills/b/c/qna.yaml"),
        ("foundational_skills/a/qna.yaml", None),
        ("", None),
    ],
)
def test_taxonomy_relative(path, expected):
    result = taxonomy_relative(path)
    assert (str(result) if result is not None else None) == expected


def test_schema_kind_from_path_then_content():
    assert schema_kind("knowledge/a/b/qna.yaml", {}) == "knowledge"
    assert schema_kind("compositional_skills/a/qna.yaml", {"document": {}}) == "compositional_skills"
    assert schema_kind("foundational_skills/a/qna.yaml", {"document": {}}) == "knowledge"
    assert schema_kind("elsewhere/qna.yaml", {"seed_examples": []}) == "compositional_skills"


def test_is_taxonomy_file_mirrors_ilab(caplog):
    assert is_taxonomy_file("compositional_skills/a/b/qna.yaml")
    assert is_taxonomy_file(PurePosixPath("knowledge/a/b/qna.yaml"))
    assert not is_taxonomy_file("foundational_skills/a/qna.yaml")
    assert not is_taxonomy_file("docs/qna.yaml")
    assert not is_taxonomy_file("compositional_skills/a/notes.yaml")
    with caplog.at_level(logging.WARNING, logger="taxonomy_app.schema.paths"):
        assert not is_taxonomy_file("compositional_skills/a/qna.yml")
        assert not is_taxonomy_file("knowledge/a/QNA.yaml")
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Found a 'qna.yml' file",
        "Found a 'QNA.yaml' file",
    ]


def test_file_name_must_be_qna_yaml():
    result = validate_qna(SKILL, path="compositional_skills/a/b/qna.yml", mode="ilab")
    [issue] = result.errors
    assert issue.rule == "R2-file-name"
    assert (
        issue.message == "The file must be named qna.yaml, but it is named 'qna.yml'. Rename it to qna.yaml."
    )
    assert issue.detail == 'Taxonomy file must be named "qna.yaml"; "qna.yml" is not a valid name'
    assert result.contents is None


def test_path_outside_the_taxonomy_gets_a_warning_but_is_still_checked():
    result = validate_qna(SKILL, path="foundational_skills/a/b/qna.yaml", mode="ilab")
    assert result.valid
    assert [w.rule for w in result.warnings] == ["R1-outside-taxonomy"]
    assert result.schema_kind == "compositional_skills" and result.taxonomy_path is None


def test_version_fields_of_the_result():
    ilab = validate_qna(
        SKILL.replace("version: 3\n", ""), path="compositional_skills/a/b/qna.yaml", mode="ilab"
    )
    assert (ilab.version, ilab.declared_version) == (1, None)
    ci = validate_qna(SKILL.replace("version: 3", "version: 2"), path="compositional_skills/a/b/qna.yaml")
    assert (ci.version, ci.declared_version, ci.mode) == (3, 2, ValidationMode.CI)


def _write(root: Path, rel: str, text: str, attribution: bytes | None = b"Title: x\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if attribution is not None:
        (path.parent / "attribution.txt").write_bytes(attribution)
    return path


def test_validate_file_reads_the_attribution_beside_it(tmp_path):
    with_attr = _write(tmp_path, "compositional_skills/a/b/qna.yaml", SKILL)
    without = _write(tmp_path, "compositional_skills/a/c/qna.yaml", SKILL, attribution=None)
    empty = _write(tmp_path, "compositional_skills/a/d/qna.yaml", SKILL, attribution=b"")
    ok = validate_file(with_attr, taxonomy_root=tmp_path, mode="ci")
    assert ok.valid and ok.path == "compositional_skills/a/b/qna.yaml"
    assert [i.rule for i in validate_file(without, taxonomy_root=tmp_path, mode="ci").errors] == [
        "R16-attribution-missing"
    ]
    assert [i.rule for i in validate_file(empty, taxonomy_root=tmp_path, mode="ci").errors] == [
        "R16-attribution-empty"
    ]
    assert validate_file(without, taxonomy_root=tmp_path, mode="ilab").valid


def test_validate_file_without_root_uses_the_path_itself(tmp_path):
    path = _write(tmp_path, "knowledge/a/b/qna.yaml", SKILL)
    result = validate_file(path, taxonomy_root=None, mode="ci")
    assert result.path == str(path)
    assert result.taxonomy_path == "knowledge/a/b/qna.yaml"
    assert result.schema_kind == "knowledge"


def test_validate_file_missing(tmp_path):
    result = validate_file(tmp_path / "compositional_skills/a/qna.yaml", taxonomy_root=tmp_path)
    [issue] = result.errors
    assert issue.rule == "io-not-a-file" and not result.valid


def test_validate_file_respects_the_size_limit_without_reading_everything(tmp_path):
    from taxonomy_app.schema import Limits

    path = _write(tmp_path, "compositional_skills/a/b/qna.yaml", SKILL + "# " + "x" * 5000 + "\n")
    result = validate_file(path, taxonomy_root=tmp_path, limits=Limits.default(max_bytes=1000))
    assert [i.rule for i in result.errors] == ["limit-file-size"]


def test_validate_tree_checks_every_yaml_under_the_roots(tmp_path):
    _write(tmp_path, "compositional_skills/a/b/qna.yaml", SKILL)
    _write(tmp_path, "compositional_skills/a/c/qna.yml", SKILL)
    _write(tmp_path, "knowledge/x/y/notes.yaml", "a: 1\n")
    _write(tmp_path, "knowledge/x/y/readme.md", "# no\n")
    _write(tmp_path, "foundational_skills/r/qna.yaml", SKILL)
    _write(tmp_path, "docs/template_qna.yaml", SKILL)
    results = validate_tree(tmp_path, "ci")
    assert [(r.path, r.valid) for r in results] == [
        ("compositional_skills/a/b/qna.yaml", True),
        ("compositional_skills/a/c/qna.yml", False),
        ("knowledge/x/y/notes.yaml", False),
    ]
    assert [i.rule for i in results[1].errors] == ["R2-file-name"]
