"""Unsafe paths and ref names never reach git, and nothing is written when they are refused."""

from __future__ import annotations

import os
import subprocess

import pytest

from taxonomy_app.git import Author, PathRejected, RefNameRejected
from taxonomy_app.git.validation import check_ref_format, validate_path

BAD_PATHS = [
    ("../x", "traversal"),
    ("knowledge/../../etc/passwd", "traversal"),
    ("./qna.yaml", "traversal"),
    ("/etc/passwd", "absolute"),
    (".git/config", ".git component"),
    ("knowledge/.GIT/hooks/pre-commit", ".git component"),
    ("knowledge/.git./config", ".git component"),
    ("git~1/config", ".git component"),
    ("knowledge/qna.yaml\x00.txt", "control character"),
    ("knowledge/qna.yaml\nM 100644 x", "control character"),
    ("knowledge\r/qna.yaml", "control character"),
    ("knowledge//qna.yaml", "empty component"),
    ("knowledge/", "empty component"),
    ("", "empty"),
    ("knowledge\\qna.yaml", "backslash"),
    ("a/" * 70 + "f", "deeper"),
    ("x" * 256, "longer than 255"),
    ("bad\udcff.txt", "UTF-8"),
]


@pytest.mark.parametrize(("path", "reason"), BAD_PATHS)
def test_commit_files_rejects_unsafe_paths_without_writing(bare_repo, author, path, reason):
    before = bare_repo.commit_files(ref="main", changes={"ok.txt": b"ok"}, message="base", author=author)

    with pytest.raises(PathRejected, match=reason):
        bare_repo.commit_files(
            ref="main", changes={"fine.txt": b"x", path: b"evil"}, message="m", author=author
        )

    assert bare_repo.resolve("main") == before
    assert not any(e.path == "fine.txt" for e in bare_repo.walk_files(before))


def test_path_rejection_is_also_a_value_error():
    with pytest.raises(ValueError):
        validate_path("../x")


@pytest.mark.parametrize(
    "path",
    [
        "qna.yaml",
        "knowledge/arts/music/qna.yaml",
        "a b/c-d_e.f",
        "ünï/cödé.md",
        ".gitignore",
        "dir/.github/x",
        "a..b/c",
    ],
)
def test_ordinary_paths_are_accepted(path):
    assert validate_path(path) == path


BAD_REFS = [
    "main; rm -rf /",
    "../x",
    "-x",
    "contrib/-x",
    "has space",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a..b",
    "a/",
    "/a",
    "a//b",
    "a.",
    "a.lock",
    "a/.hidden",
    "@",
    "a@{1}",
    "tab\tname",
    "nl\nname",
    "",
    "HEAD",
    "refs/heads",
    "refs/x",
]


@pytest.mark.parametrize("name", BAD_REFS)
def test_ref_names_are_validated_before_any_write(bare_repo, author, name):
    with pytest.raises(RefNameRejected, match="invalid ref name"):
        bare_repo.commit_files(ref=name, changes={"a.txt": b"a"}, message="m", author=author)
    with pytest.raises(PathRejected):
        bare_repo.create_branch(name, "0" * 40)
    with pytest.raises(ValueError):
        bare_repo.delete_branch(name)

    assert bare_repo.branches() == {}


@pytest.mark.parametrize(
    "name",
    [
        "main",
        "contrib/12-foo",
        "contrib/12-foo.bar",
        "u/ünï",
        "a@b",
        "x-",
        "v1.2",
        "a..b",
        "a.lock/x",
        "a/.b",
        "a b",
        "a~b",
        "a//b",
        "a.",
        "@",
        "x@{y",
    ],
)
def test_ref_rules_agree_with_git_check_ref_format(name):
    ref = f"refs/heads/{name}"
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    git_accepts = subprocess.run(["git", "check-ref-format", ref], env=env).returncode == 0
    try:
        check_ref_format(ref)
        we_accept = True
    except RefNameRejected:
        we_accept = False

    assert we_accept == git_accepts


def test_author_identity_is_validated():
    for name, email in [("", "a@b"), ("A", ""), ("A <x>", "a@b"), ("A", "a@b>"), ("A\nB", "a@b")]:
        with pytest.raises(ValueError, match="author"):
            Author(name, email)


def test_fetch_into_rejects_option_like_and_dangerous_sources(bare_repo):
    for location in ("--upload-pack=touch /tmp/pwned", "-x", "ext::sh -c touch% /tmp/pwned", "fd::3", ""):
        with pytest.raises(ValueError):
            bare_repo.fetch_into(location)
    with pytest.raises(RefNameRejected):
        bare_repo.fetch_into("/tmp", source_ref="main:refs/heads/evil")
    assert bare_repo.branches() == {}
