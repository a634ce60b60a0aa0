"""Our verdicts and messages against the reference validator (instructlab-schema 0.4.2) and the corpus index.

For every qna.yaml of the shared corpus, in ilab and ci mode:
  (a) the verdict equals the reference run here (ilab: TaxonomyParser(schema_version=0, yamllint_strict=True);
      ci: the taxonomy repository's scripts/check-yaml.py, i.e. latest schema, non-strict lint, attribution),
      and every message the reference prints has a counterpart in ours (same severity, YAML path, upstream
      wording in ``Issue.detail``; for yamllint also the same line and column), and vice versa;
  (b) the verdict equals ``valid_ilab``/``valid_ci`` recorded in the corpus index (where not null).
Then the same comparison on constructed bad files, plus checks that our line/column point at the node.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from taxonomy_app.schema import ValidationMode, validate_file, yamlload

MODES = ("ilab", "ci")
PARSERS = ("libyaml", "pure")


def validate_with(parser: str, *args, **kwargs):
    """validate_file with the libyaml fast path on, or forced off (the reference's pure-Python parser)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlload, "USE_LIBYAML", parser == "libyaml")
        return validate_file(*args, **kwargs)


@pytest.fixture(scope="module")
def corpus_reference(reference, corpus_dir, corpus_entries):
    jobs = [(corpus_dir / tree / rel, mode) for tree, rel in corpus_entries for mode in MODES]
    return reference.run_many(jobs)


@pytest.fixture(scope="module")
def corpus_results(corpus_dir, corpus_entries):
    """Our results for every corpus file, mode and parser path, computed once."""
    return {
        (tree, rel, mode, parser): validate_with(
            parser, corpus_dir / tree / rel, taxonomy_root=corpus_dir / tree, mode=mode
        )
        for tree, rel in corpus_entries
        for mode in MODES
        for parser in PARSERS
    }


def test_corpus_present_and_complete(corpus_entries, corpus_index):
    trees = {tree for tree, rel in corpus_index if rel is None}
    assert len(corpus_entries) == sum(corpus_index[(tree, None)]["qna_count"] for tree in trees)
    assert set(corpus_entries) == {key for key in corpus_index if key[1] is not None}


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("mode", MODES)
def test_corpus_file_parity(
    corpus_entry, mode, parser, corpus_dir, corpus_reference, corpus_index, corpus_results, parity
):
    tree, rel = corpus_entry
    path = corpus_dir / tree / rel
    ours = corpus_results[(tree, rel, mode, parser)]
    assert ours.path == rel
    parity(ours, corpus_reference[(path, mode)], f"{tree}/{rel} [{mode}, {parser}]")
    recorded = corpus_index[(tree, rel)].get(f"valid_{mode}")
    if recorded is not None:
        assert ours.valid == recorded, f"{tree}/{rel} [{mode}]: index says valid={recorded}"


def test_corpus_verdict_totals(corpus_results):
    """The headline numbers of TAXONOMY_RULES.md §1.2/§1.3."""
    results = {
        mode: {
            (t, p): r for (t, p, m, parser), r in corpus_results.items() if m == mode and parser == "libyaml"
        }
        for mode in MODES
    }
    v2024 = [r.valid for (t, _), r in results["ilab"].items() if t == "taxonomy-2024"]
    assert (sum(v2024), len(v2024)) == (146, 147)
    assert all(r.valid for (t, _), r in results["ilab"].items() if t == "taxonomy-2025")
    ci_valid = sorted(p for (t, p), r in results["ci"].items() if r.valid)
    assert len(ci_valid) == 5 and all(not p.startswith("foundational_skills") for p in ci_valid)


# -- constructed files ------------------------------------------------------------------------------------


def skill(
    seeds: int = 5,
    *,
    version: str = "3",
    head: str = "",
    seed_extra: dict[int, str] | None = None,
    drop: tuple[str, ...] = (),
    tail: str = "",
) -> str:
    lines = []
    if version is not None and "version" not in drop:
        lines.append(f"version: {version}")
    if "created_by" not in drop:
        lines.append("created_by: alice")
    if "task_description" not in drop:
        lines.append("task_description: Give a synonym for a word.")
    lines.append(head.rstrip("\n")) if head else None
    lines.append("seed_examples:")
    words = ["happy", "sad", "big", "small", "fast", "slow", "warm", "cold"]
    for i in range(seeds):
        word = words[i % len(words)] + ("" if i < len(words) else str(i))
        lines.append(f"  - question: What is a synonym for {word}?")
        lines.append(f"    answer: A word like {word}.")
        if seed_extra and i in seed_extra:
            lines.append(seed_extra[i].rstrip("\n"))
    text = "\n".join(lines) + "\n"
    return text + tail


def knowledge(
    seeds: int = 5,
    qna: int = 3,
    *,
    version: str = "3",
    extra: str = "",
    patterns: str = "    - chickadee.md\n",
    commit: str = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697",
    qna_counts: dict[int, int] | None = None,
) -> str:
    out = [
        f"version: {version}",
        "created_by: alice",
        "domain: birds",
        "document_outline: Facts about the black-capped chickadee.",
    ]
    if extra:
        out.append(extra.rstrip("\n"))
    out.append("seed_examples:")
    for i in range(seeds):
        out.append(f"  - context: Chickadees are small birds, fact number {i + 1}.")
        out.append("    questions_and_answers:")
        for j in range((qna_counts or {}).get(i, qna)):
            out.append(f"      - question: Question {j + 1} about fact {i + 1}?")
            out.append(f"        answer: Answer {j + 1} about fact {i + 1}.")
    out += [
        "document:",
        "  repo: https://github.com/example/knowledge.git",
        f"  commit: {commit}",
        "  patterns:",
    ]
    return "\n".join(out) + "\n" + patterns


def legacy_knowledge(version: str | None) -> str:
    head = f"version: {version}\n" if version else ""
    seeds = "".join(f"  - question: Question {i}?\n    answer: Answer {i}.\n" for i in range(5))
    return (
        head
        + "created_by: alice\ndomain: history\ntask_description: Teach history.\nseed_examples:\n"
        + seeds
        + "document:\n  repo: https://github.com/example/k.git\n  commit: abc1234\n"
        "  patterns:\n    - '*.md'\n"
    )


VALID_SKILL = skill()
ATTRIBUTION = b"Title of work: Example\nLicense of the work: CC-BY-SA-4.0\n"
SKILL_DIR = "compositional_skills/linguistics/synonyms"
KNOWLEDGE_DIR = "knowledge/science/animals/chickadee"

# name: (directory, file name, content (str or bytes), attribution (bytes, or None for no file),
#        expected positions as {mode: [(rule, line, column), ...]} checked on top of the parity)
CASES: dict[str, tuple] = {
    "skill-valid": (SKILL_DIR, "qna.yaml", VALID_SKILL, ATTRIBUTION, {"ci": []}),
    "knowledge-valid": (KNOWLEDGE_DIR, "qna.yaml", knowledge(), ATTRIBUTION, {"ci": []}),
    "unknown-top-key": (
        SKILL_DIR,
        "qna.yaml",
        skill(tail="extra_field: x\n"),
        ATTRIBUTION,
        {"ci": [("R10-unknown-key", 15, 1)]},
    ),
    "missing-task-description": (
        SKILL_DIR,
        "qna.yaml",
        skill(drop=("task_description",)),
        ATTRIBUTION,
        {"ci": [("R9-missing-key", 1, 1)], "ilab": [("R9-missing-key", 1, 1)]},
    ),
    "seed-missing-answer": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("    answer: A word like big.\n", ""),
        ATTRIBUTION,
        {"ci": [("R9-missing-key", 9, 5)]},
    ),
    "seed-unknown-key": (
        SKILL_DIR,
        "qna.yaml",
        skill(seed_extra={0: "    attribution: wikipedia"}),
        ATTRIBUTION,
        {"ci": [("R10-unknown-key", 7, 5)]},
    ),
    "knowledge-v2": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        legacy_knowledge("2"),
        ATTRIBUTION,
        {"ilab": [("R7-deprecated-version", 1, 10)]},
    ),
    "knowledge-v1": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        legacy_knowledge(None),
        ATTRIBUTION,
        {"ilab": [("R7-deprecated-version", None, None)]},
    ),
    "knowledge-task-description": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge(extra="task_description: Old field."),
        ATTRIBUTION,
        {"ci": [("R10-unknown-key", 5, 1)]},
    ),
    "knowledge-two-qna": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge(qna_counts={1: 2}),
        ATTRIBUTION,
        {"ci": [("R13-too-few-qna", 15, 5)]},
    ),
    "knowledge-duplicate-patterns": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge(patterns="    - a.md\n    - a.md\n"),
        ATTRIBUTION,
        {"ci": [("R15-duplicate-pattern", 49, 3)]},
    ),
    "knowledge-no-patterns": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge(patterns="").replace("patterns:", "patterns: []"),
        ATTRIBUTION,
        {"ci": [("R15-no-patterns", 49, 3)]},
    ),
    "three-seeds": (SKILL_DIR, "qna.yaml", skill(3), ATTRIBUTION, {"ci": [("R12-too-few-seeds", 4, 1)]}),
    "trailing-spaces": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice\n", "created_by: alice  \n"),
        ATTRIBUTION,
        {"ci": [("lint-trailing-spaces", 2, 18)]},
    ),
    "bad-indentation": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge()
        .replace("\n  repo:", "\n    repo:")
        .replace("\n  commit:", "\n    commit:")
        .replace("\n  patterns:", "\n    patterns:"),
        ATTRIBUTION,
        {"ilab": [("lint-indentation", 47, 5)], "ci": []},
    ),
    "wrong-file-name": (
        SKILL_DIR,
        "qna.yml",
        VALID_SKILL,
        ATTRIBUTION,
        {"ci": [("R2-file-name", None, None)]},
    ),
    "non-mapping": (SKILL_DIR, "qna.yaml", "- one\n- two\n", ATTRIBUTION, {"ci": [("R6-not-mapping", 1, 1)]}),
    "null-answer": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like sad.", "answer:"),
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 8, 5)]},
    ),
    "empty-file": (SKILL_DIR, "qna.yaml", "", ATTRIBUTION, {"ci": []}),
    "comments-only": (SKILL_DIR, "qna.yaml", "# nothing here yet\n", ATTRIBUTION, {"ci": []}),
    "empty-mapping": (SKILL_DIR, "qna.yaml", "{}\n", ATTRIBUTION, {}),
    "zero": (SKILL_DIR, "qna.yaml", "0\n", ATTRIBUTION, {}),
    "version-string": (
        SKILL_DIR,
        "qna.yaml",
        skill(version='"3"'),
        ATTRIBUTION,
        {"ilab": [("R11-wrong-type", 1, 10)]},
    ),
    "version-4": (
        SKILL_DIR,
        "qna.yaml",
        skill(version="4"),
        ATTRIBUTION,
        {"ilab": [("R7-unknown-version", 1, 10)], "ci": [("R7-version-mismatch", 1, 10)]},
    ),
    "version-24-knowledge": (KNOWLEDGE_DIR, "qna.yaml", knowledge(version="24"), ATTRIBUTION, {}),
    "version-true": (SKILL_DIR, "qna.yaml", skill(version="true"), ATTRIBUTION, {}),
    "version-float": (SKILL_DIR, "qna.yaml", skill(version="3.0"), ATTRIBUTION, {"ci": []}),
    "version-infinite": (SKILL_DIR, "qna.yaml", skill(version=".inf"), ATTRIBUTION, {}),
    "version-null": (SKILL_DIR, "qna.yaml", skill(version=""), ATTRIBUTION, {}),
    "yes-answer": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like fast.", "answer: Yes"),
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 14, 13)]},
    ),
    "number-created-by": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice", "created_by: 42"),
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 2, 13)]},
    ),
    "duplicate-keys": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice\n", "created_by: alice\ncreated_by: bob\n"),
        ATTRIBUTION,
        {"ci": [("lint-key-duplicates", 3, 1)]},
    ),
    "crlf": (SKILL_DIR, "qna.yaml", VALID_SKILL.replace("\n", "\r\n").encode(), ATTRIBUTION, {"ci": []}),
    "bom": (SKILL_DIR, "qna.yaml", b"\xef\xbb\xbf" + VALID_SKILL.encode(), ATTRIBUTION, {"ci": []}),
    "bom-crlf-trailing": (
        SKILL_DIR,
        "qna.yaml",
        b"\xef\xbb\xbf"
        + VALID_SKILL.replace("created_by: alice\n", "created_by: alice \n").replace("\n", "\r\n").encode(),
        ATTRIBUTION,
        {"ci": [("lint-trailing-spaces", 2, 18)]},
    ),
    "latin1": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("alice", "José").encode("latin-1"),
        ATTRIBUTION,
        {"ci": [("R3-encoding", 2, 16)]},
    ),
    "nul-byte": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("alice", "al\x00ice").encode(),
        ATTRIBUTION,
        {"ci": [("R4-bad-character", 2, 15)]},
    ),
    "yaml-syntax": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("Give a synonym", "Note: give a synonym"),
        ATTRIBUTION,
        {"ci": [("R4-yaml-syntax", 3, 23)]},
    ),
    "tab-indent": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("    answer: A word like sad.", "\tanswer: x"),
        ATTRIBUTION,
        {},
    ),
    "no-final-newline": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.rstrip("\n"),
        ATTRIBUTION,
        {"ci": [("lint-new-line-at-end-of-file", 14, 30)]},
    ),
    "blank-lines": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("seed_examples:\n", "\n\n\n\nseed_examples:\n"),
        ATTRIBUTION,
        {"ci": [("lint-empty-lines", 7, 1)]},
    ),
    "blank-line-at-start": (SKILL_DIR, "qna.yaml", "\n" + VALID_SKILL, ATTRIBUTION, {}),
    "empty-created-by": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice", "created_by: ''"),
        ATTRIBUTION,
        {"ci": [("R11-empty-text", 2, 13)]},
    ),
    "knowledge-under-skills": (SKILL_DIR, "qna.yaml", knowledge(), ATTRIBUTION, {}),
    "skill-v2": (
        SKILL_DIR,
        "qna.yaml",
        skill(version="2"),
        ATTRIBUTION,
        {"ci": [("R7-version-mismatch", 1, 10)]},
    ),
    "skill-v1": (SKILL_DIR, "qna.yaml", skill(3, version=None), None, {"ilab": []}),
    "identical-seeds": (
        SKILL_DIR,
        "qna.yaml",
        skill() + "  - question: What is a synonym for happy?\n    answer: A word like happy.\n",
        ATTRIBUTION,
        {"ci": [("R14-duplicate", 4, 1)]},
    ),
    "outside-roots": ("foundational_skills/reasoning/x", "qna.yaml", skill(3, version=None), None, {}),
    "missing-attribution": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL,
        None,
        {"ci": [("R16-attribution-missing", None, None)]},
    ),
    "empty-attribution": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL,
        b"",
        {"ci": [("R16-attribution-empty", None, None)]},
    ),
    "multi-document": (SKILL_DIR, "qna.yaml", VALID_SKILL + "---\nversion: 3\n", ATTRIBUTION, {}),
    "anchors": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like happy.", "answer: &a A word.").replace(
            "answer: A word like sad.", "answer: *a"
        ),
        ATTRIBUTION,
        {"ci": []},
    ),
    "undefined-alias": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like sad.", "answer: *nope"),
        ATTRIBUTION,
        {"ci": [("R4-yaml-syntax", 8, 13)]},
    ),
    "duplicate-anchor": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like happy.", "answer: &a x").replace(
            "answer: A word like sad.", "answer: &a y"
        ),
        ATTRIBUTION,
        {},
    ),
    "merge-keys": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace(
            "  - question: What is a synonym for fast?\n    answer: A word like fast.\n",
            "  - &base\n    question: What is a synonym for fast?\n    answer: A word like fast.\n"
            "  - <<: *base\n    question: What is a synonym for quick?\n",
        ),
        ATTRIBUTION,
        {"ci": []},
    ),
    "disable-file": (
        SKILL_DIR,
        "qna.yaml",
        "# yamllint disable-file\n" + VALID_SKILL.replace("alice", "alice  "),
        ATTRIBUTION,
        {"ci": []},
    ),
    "date-created-by": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice", "created_by: 2024-01-31"),
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 2, 13)]},
    ),
    "bad-date": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("created_by: alice", "created_by: 2024-13-45"),
        ATTRIBUTION,
        {"ci": [("R4-yaml-syntax", 2, 13)]},
    ),
    "seeds-not-a-list": (
        SKILL_DIR,
        "qna.yaml",
        "version: 3\ncreated_by: a\ntask_description: t\nseed_examples: none yet\n",
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 4, 16)]},
    ),
    "int-key": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL + "1: one\n",
        ATTRIBUTION,
        {"ci": [("R10-unknown-key", 15, 1)]},
    ),
    "percent-in-message": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL + "  - 50% off\n",
        ATTRIBUTION,
        {"ci": [("R11-wrong-type", 15, 5)]},
    ),
    "unicode-columns": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("answer: A word like big.", "answer: Ça 大きい 😀 ok   "),
        ATTRIBUTION,
        {"ci": [("lint-trailing-spaces", 10, 24)]},
    ),
    "quoted-empty-question": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace("question: What is a synonym for big?", 'question: ""'),
        ATTRIBUTION,
        {"ci": [("R11-empty-text", 9, 15)]},
    ),
    "flow-style": (
        SKILL_DIR,
        "qna.yaml",
        "{version: 3, created_by: a, task_description: t, seed_examples: "
        "[{question: q1, answer: a}, {question: q2, answer: a}, {question: q3, answer: a}, "
        "{question: q4, answer: a}, {question: q5, answer: a}]}\n",
        ATTRIBUTION,
        {"ci": []},
    ),
    "hyphen-spacing": (
        SKILL_DIR,
        "qna.yaml",
        VALID_SKILL.replace(
            "  - question: What is a synonym for big?", "  -   question: What is a synonym for big?"
        ).replace("    answer: A word like big.", "      answer: A word like big."),
        ATTRIBUTION,
        {"ilab": [("lint-hyphens", 9, 6)]},
    ),
    "knowledge-short-commit": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge(commit="5f7158a"),
        ATTRIBUTION,
        {"ci": []},
    ),
    "knowledge-missing-document": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge().split("document:\n")[0],
        ATTRIBUTION,
        {"ci": [("R9-missing-key", 1, 1)]},
    ),
    "knowledge-document-extra": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge().replace("  patterns:", "  branch: main\n  patterns:"),
        ATTRIBUTION,
        {"ci": [("R10-unknown-key", 49, 3)]},
    ),
    "knowledge-qna-extra-key": (
        KNOWLEDGE_DIR,
        "qna.yaml",
        knowledge().replace(
            "answer: Answer 1 about fact 1.", "answer: Answer 1 about fact 1.\n        source: p. 3"
        ),
        ATTRIBUTION,
        {"ci": []},
    ),
}


def _write_case(root: Path, name: str) -> Path:
    directory, file_name, content, attribution, _ = CASES[name]
    folder = root / name / directory
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if attribution is not None:
        (folder / "attribution.txt").write_bytes(attribution)
    return path


@pytest.fixture(scope="module")
def constructed(tmp_path_factory, reference):
    root = tmp_path_factory.mktemp("constructed")
    paths = {name: _write_case(root, name) for name in CASES}
    outcomes = reference.run_many([(path, mode) for path in paths.values() for mode in MODES])
    return root, paths, outcomes


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(CASES))
def test_constructed_parity(name, mode, parser, constructed, parity):
    root, paths, outcomes = constructed
    path = paths[name]
    ours = validate_with(parser, path, taxonomy_root=root / name, mode=mode)
    parity(ours, outcomes[(path, mode)], f"{name} [{mode}, {parser}]")
    expected = CASES[name][4].get(mode)
    if expected is None:
        return
    if expected == []:
        assert ours.valid, f"{name} [{mode}]: {ours.errors}"
        return
    for rule, line, column in expected:
        found = [(i.line, i.column) for i in ours.errors + ours.warnings if i.rule == rule]
        assert found, (
            f"{name} [{mode}]: no {rule} in {[(i.rule, i.line) for i in ours.errors + ours.warnings]}"
        )
        assert (line, column) in found, f"{name} [{mode}]: {rule} at {found}, expected {(line, column)}"


def test_constructed_cases_cover_both_verdicts(constructed):
    _, paths, outcomes = constructed
    verdicts = {outcome.valid for outcome in outcomes.values()}
    raised = [key for key, outcome in outcomes.items() if outcome.raised]
    assert verdicts == {True, False}
    assert raised, "some constructed files must make the reference fail to read them"


def test_messages_are_plain_and_untruncated(constructed):
    root, paths, _ = constructed
    ours = validate_file(paths["percent-in-message"], taxonomy_root=root / "percent-in-message", mode="ci")
    issue = next(i for i in ours.errors if i.rule == "R11-wrong-type")
    assert issue.message == "Seed example 6 must be a group of named fields, but it is text."
    assert issue.detail == "'50% off' is not of type 'object'"
    long = validate_file(paths["identical-seeds"], taxonomy_root=root / "identical-seeds", mode="ci")
    duplicate = next(i for i in long.errors if i.rule == "R14-duplicate")
    assert "seed examples 1 and 6" in duplicate.message
    assert duplicate.detail.startswith(
        "[{'question': 'What is a synonym for happy?'"
    )  # the reference cuts this
    assert len(duplicate.detail) > 200


def test_modes_differ_where_upstream_tools_do(constructed):
    root, paths, _ = constructed
    v1 = paths["skill-v1"]
    assert validate_file(v1, taxonomy_root=root / "skill-v1", mode=ValidationMode.ILAB).valid
    ci = validate_file(v1, taxonomy_root=root / "skill-v1", mode=ValidationMode.CI)
    assert {i.rule for i in ci.errors} == {"R9-missing-key", "R12-too-few-seeds", "R16-attribution-missing"}
    indentation = paths["bad-indentation"]
    ilab = validate_file(indentation, taxonomy_root=root / "bad-indentation", mode="ilab")
    ci = validate_file(indentation, taxonomy_root=root / "bad-indentation", mode="ci")
    assert not ilab.valid and ci.valid
    assert [w.rule for w in ci.warnings] == ["lint-indentation"] * len(ci.warnings) and ci.warnings


def test_text_helpers_build_what_they_claim():
    assert textwrap.dedent(VALID_SKILL).count("- question:") == 5
    assert knowledge().count("- question:") == 15
