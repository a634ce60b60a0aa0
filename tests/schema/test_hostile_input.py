"""Bad and hostile input: every case ends quickly with a clear issue (or a normalisation), never a crash."""

from __future__ import annotations

import os
import time

import pytest

from taxonomy_app.schema import Limits, ValidationMode, validate_qna
from taxonomy_app.schema import limits as limits_module
from taxonomy_app.schema import validator as validator_module

PATH = "compositional_skills/linguistics/synonyms/qna.yaml"
VALID = (
    "version: 3\n"
    "created_by: alice\n"
    "task_description: Give a synonym for a word.\n"
    "seed_examples:\n"
    + "".join(
        f"  - question: What is a synonym for {w}?\n    answer: A word like {w}.\n"
        for w in ("happy", "sad", "big", "small", "fast")
    )
)


def check(data, mode="ci", **kwargs):
    started = time.perf_counter()
    result = validate_qna(data, path=PATH, mode=mode, attribution=b"source", **kwargs)
    elapsed = time.perf_counter() - started
    assert not [i for i in result.errors if i.rule == "internal"], result.errors
    return result, elapsed


def only_error(result):
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def billion_laughs(levels: int = 9) -> str:
    text = 'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        text += f"lol{level}: &lol{level} [{refs}]\n"
    return text


def test_billion_laughs_is_refused_before_expansion():
    result, elapsed = check("version: 3\n" + billion_laughs())
    issue = only_error(result)
    assert issue.rule == "limit-alias-expansion"
    assert "billion laughs" in issue.message
    assert issue.line is not None and issue.column is not None
    assert result.contents is None
    assert elapsed < 2


def test_alias_bomb_under_seed_examples_is_refused():
    bomb = billion_laughs(7).replace("lol6:", "seed_examples:")
    result, elapsed = check("version: 3\ncreated_by: a\ntask_description: t\n" + bomb)
    assert only_error(result).rule == "limit-alias-expansion"
    assert elapsed < 2


def test_small_alias_use_is_fine():
    text = VALID.replace("answer: A word like happy.", "answer: &same Same answer.").replace(
        "answer: A word like sad.", "answer: *same"
    )
    result, _ = check(text)
    assert result.valid
    assert result.contents["seed_examples"][1]["answer"] == "Same answer."


def test_recursive_alias_is_refused():
    result, _ = check(VALID + "extra: &loop [1, *loop]\n")
    issue = only_error(result)
    assert issue.rule == "limit-recursive-alias"
    assert (issue.line, issue.column) == (15, 18)


def test_fifty_megabytes_are_refused_before_parsing():
    data = b"a: " + b"x" * (50 * 1024 * 1024)
    result, elapsed = check(data)
    issue = only_error(result)
    assert issue.rule == "limit-file-size"
    assert "50.0 MiB" in issue.message and "1.0 MiB" in issue.message
    assert result.normalized_text is None
    assert elapsed < 1


def test_size_limit_is_configurable(monkeypatch):
    result, _ = check(VALID, limits=Limits.default(max_bytes=100))
    assert only_error(result).rule == "limit-file-size"
    monkeypatch.setattr(limits_module, "MAX_FILE_BYTES", 50)
    result, _ = check(VALID)
    assert only_error(result).rule == "limit-file-size"
    monkeypatch.setattr(limits_module, "MAX_FILE_BYTES", 10_000)
    result, _ = check(VALID)
    assert result.valid


def test_text_input_is_measured_in_utf8_bytes():
    text = "created_by: " + "é" * 600
    result, _ = check(text, limits=Limits.default(max_bytes=1000))
    assert only_error(result).rule == "limit-file-size"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "a: " + "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "x\n",
        "".join("  " * i + "-\n" for i in range(200)),
    ],
    ids=["flow-lists", "flow-mappings", "block-sequences", "indented-block"],
)
def test_ten_thousand_deep_nesting_is_refused_without_recursion_error(text):
    result, elapsed = check(text)
    issue = only_error(result)
    assert issue.rule == "limit-nesting-depth"
    assert "64 levels" in issue.message
    assert elapsed < 5


def test_nesting_within_the_limit_still_works():
    result, _ = check(VALID + "extra: " + "[" * 60 + "]" * 60 + "\n")
    assert [i.rule for i in result.errors] == ["R10-unknown-key"]


def test_huge_collections_are_refused():
    seeds = "".join(f"  - {{question: q{i}, answer: a}}\n" for i in range(1500))
    result, elapsed = check("version: 3\ncreated_by: a\ntask_description: t\nseed_examples:\n" + seeds)
    issue = only_error(result)
    assert issue.rule == "limit-collection-size"
    assert issue.line == 5
    assert elapsed < 5


def test_binary_data_gets_an_encoding_error():
    data = bytes(range(256)) * 16 + os.urandom(1024)
    result, _ = check(data)
    issue = only_error(result)
    assert issue.rule == "R3-encoding"
    assert "binary" in issue.message
    assert (issue.line, issue.column) == (2, 118)  # the first byte >= 0x80 follows a newline


def test_nul_byte_is_a_clear_error():
    result, _ = check(VALID.replace("alice", "ali\x00ce").encode())
    issue = only_error(result)
    assert issue.rule == "R4-bad-character"
    assert "NUL" in issue.message
    assert (issue.line, issue.column) == (2, 16)


def test_latin1_bytes_name_line_and_column():
    result, _ = check(VALID.replace("alice", "Zoë Müller").encode("latin-1"))
    issue = only_error(result)
    assert issue.rule == "R3-encoding"
    assert (issue.line, issue.column) == (2, 15)
    assert "0xEB" in issue.message and "line 2, column 15" in issue.message
    assert "Latin-1" in issue.message
    assert "can't decode byte 0xeb" in issue.detail


def test_utf16_file_is_named_as_such():
    result, _ = check(VALID.encode("utf-16"))
    assert "UTF-16" in only_error(result).message


@pytest.mark.parametrize("mode", list(ValidationMode))
def test_crlf_is_normalised_with_a_warning(mode):
    result, _ = check(VALID.replace("\n", "\r\n").encode(), mode=mode)
    assert result.valid
    assert result.normalized_text == VALID
    assert [w.rule for w in result.warnings] == ["N1-line-endings"]
    assert result.warnings[0].severity == "warning"


def test_old_mac_line_endings_are_normalised():
    result, _ = check(VALID.replace("\n", "\r"))
    assert result.valid and result.normalized_text == VALID


def test_bom_is_stripped_with_a_warning():
    result, _ = check(b"\xef\xbb\xbf" + VALID.encode())
    assert result.valid
    assert result.normalized_text == VALID
    assert [(w.rule, w.line, w.column) for w in result.warnings] == [("N2-byte-order-mark", 1, 1)]
    text_result, _ = check("\ufeff" + VALID)
    assert text_result.valid and text_result.normalized_text == VALID


def test_bom_does_not_shift_columns():
    result, _ = check(b"\xef\xbb\xbf" + VALID.replace("alice", "").encode())
    issue = next(i for i in result.errors if i.rule == "R11-wrong-type")
    assert (issue.line, issue.column) == (2, 1)


def test_non_mapping_top_level():
    for text, what in (("- a\n- b\n", "a list"), ("just some text\n", "text"), ("42\n", "the number")):
        result, _ = check(text)
        issue = only_error(result)
        assert issue.rule == "R6-not-mapping"
        assert what in issue.message
        assert (issue.line, issue.column) == (1, 1)


@pytest.mark.parametrize(
    "text", ["", "# only a comment\n", "---\n", "{}\n", "[]\n", "''\n", "~\n", "false\n"]
)
def test_empty_file_is_a_warning_except_in_strict_mode(text):
    for mode in ("ilab", "ci"):
        result, _ = check(text, mode=mode)
        assert result.valid and [w.rule for w in result.warnings] == ["R5-empty"]
        assert result.warnings[0].message.startswith("The file is empty")
    strict, _ = check(text, mode="strict")
    assert "R5-empty" in [e.rule for e in strict.errors]


def test_unknown_version():
    result, _ = check(VALID.replace("version: 3", "version: 7"), mode="ilab")
    issue = only_error(result)
    assert issue.rule == "R7-unknown-version"
    assert issue.message == "Version 7 is not a known qna.yaml version; use version 3."
    assert (issue.line, issue.column, issue.yaml_path) == (1, 10, ".version")
    ci, _ = check(VALID.replace("version: 3", "version: 7"))
    assert [(i.rule, i.message) for i in ci.errors] == [
        (
            "R7-version-mismatch",
            "The version must be 3, but this file says 7. Only version 3 files are accepted here.",
        )
    ]


def test_version_as_string():
    result, _ = check(VALID.replace("version: 3", 'version: "3"'), mode="ilab")
    assert [(i.rule, i.message) for i in result.errors] == [
        ("R11-wrong-type", "The version must be the number 3 without quotes, but it is the text '3'."),
        (
            "R7-version-mismatch",
            "The version must be 3, but this file says '3' (in quotes, so it is text). "
            "Only version 3 files are accepted here.",
        ),
    ]
    assert {(i.line, i.column) for i in result.errors} == {(1, 10)}


def test_version_as_boolean_in_ilab_mode():
    result, _ = check(VALID.replace("version: 3", "version: yes"), mode="ilab")
    assert only_error(result).rule == "R7-unknown-version"


def test_infinite_version_does_not_crash():
    result, _ = check(VALID.replace("version: 3", "version: .inf"), mode="ilab")
    assert only_error(result).rule == "R7-unknown-version"


def test_yes_becomes_a_boolean_and_is_explained():
    result, _ = check(VALID.replace("answer: A word like big.", "answer: Yes"))
    issue = only_error(result)
    assert issue.rule == "R11-wrong-type"
    assert issue.message == (
        "The answer of seed example 3 must be text, but it is the yes/no value true "
        '(written as Yes). Put it in quotes so that it is read as text, for example "Yes".'
    )
    assert (issue.line, issue.column, issue.yaml_path) == (10, 13, ".seed_examples[2].answer")
    assert issue.detail == "True is not of type 'string'"


def test_numbers_and_dates_are_explained():
    result, _ = check(VALID.replace("created_by: alice", "created_by: 2024-05-01"))
    assert "the date 2024-05-01" in only_error(result).message
    result, _ = check(VALID.replace("created_by: alice", "created_by: 0o17"))
    assert "the number 0o17" in only_error(result).message


def test_duplicate_keys_are_a_lint_error():
    result, _ = check(VALID.replace("created_by: alice\n", "created_by: alice\ncreated_by: bob\n"))
    issue = only_error(result)
    assert issue.rule == "lint-key-duplicates"
    assert issue.message == 'The key "created_by" appears more than once in the same section; keep only one.'
    assert (issue.line, issue.column) == (3, 1)
    assert result.contents["created_by"] == "bob"


def test_invalid_date_is_a_yaml_error_with_position():
    result, _ = check(VALID.replace("created_by: alice", "created_by: 2024-02-30"))
    issue = only_error(result)
    assert issue.rule == "R4-yaml-syntax"
    assert (issue.line, issue.column) == (2, 13)
    assert "'2024-02-30'" in issue.message and "quotes" in issue.message


def test_enormous_integer_is_a_yaml_error():
    result, _ = check(VALID + "big: " + "9" * 5000 + "\n")
    issue = only_error(result)
    assert issue.rule == "R4-yaml-syntax"
    assert "(5,000 characters)" in issue.message


def test_syntax_error_names_position_and_gives_a_hint():
    result, _ = check(VALID.replace("Give a synonym", "Note: give a synonym"))
    issue = only_error(result)
    assert issue.rule == "R4-yaml-syntax"
    assert (issue.line, issue.column) == (3, 23)
    assert "mapping values are not allowed here" in issue.message
    assert "quotes" in issue.message
    assert "mapping values are not allowed here" in issue.detail


def test_tabs_and_multiple_documents():
    tabs, _ = check(VALID.replace("    answer: A word like sad.", "\tanswer: x"))
    assert only_error(tabs).rule == "R4-yaml-syntax"
    multi, _ = check(VALID + "---\nversion: 3\n")
    issue = only_error(multi)
    assert issue.message.startswith(
        "The file is not valid YAML (line 15, column 1): expected a single document "
        "in the stream, but found another document."
    )
    assert issue.line == 15


def test_python_tags_are_not_constructed():
    result, _ = check(VALID + "x: !!python/object/apply:os.system ['true']\n")
    assert only_error(result).rule == "R4-yaml-syntax"


def test_unexpected_exception_becomes_an_internal_issue(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validator_module.lint_module, "lint_issues", explode)
    result = validate_qna(VALID, path=PATH, mode="ci")
    assert [(i.rule, i.severity) for i in result.errors] == [("internal", "error")]
    assert "RuntimeError: boom" in result.errors[0].message
    assert not result.valid


def test_str_and_bytes_give_the_same_result():
    from_bytes, _ = check(VALID.encode())
    from_text, _ = check(VALID)
    assert from_bytes == from_text


def test_bad_mode_is_rejected():
    with pytest.raises(ValueError):
        validate_qna(VALID, path=PATH, mode="lenient")
