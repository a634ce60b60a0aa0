"""Fixtures for the pure git layer: throwaway bare repositories and source directories, no Django.

tests/git has no __init__.py on purpose: as a package it would be importable as `git` and could shadow
GitPython.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from taxonomy_app.git import Author, TaxonomyRepository

SUMMIT_BUNDLE = (
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "knowledge-docs" / "Summit_knowledge.bundle"
)

# What `git init --bare` and our own operations may leave in a bare repository; anything else would be a
# checked-out file or an index, i.e. a working tree.
BARE_REPO_ENTRIES = {
    "HEAD",
    "config",
    "description",
    "hooks",
    "info",
    "objects",
    "refs",
    "branches",
    "packed-refs",
    "logs",
    "labweb.lock",
    "shallow",
}


@pytest.fixture
def author() -> Author:
    return Author("Ada Lovelace", "ada@example.org")


@pytest.fixture
def other_author() -> Author:
    return Author("Grace Hopper", "grace@example.org")


@pytest.fixture
def bare_repo(tmp_path: Path) -> TaxonomyRepository:
    return TaxonomyRepository.init_bare(tmp_path / "taxonomy.git")


@pytest.fixture
def write_tree(tmp_path: Path) -> Callable[[dict[str, bytes | str]], Path]:
    """Create a directory holding the given files (relative posix path -> content) and return it."""
    counter = iter(range(1_000_000))

    def write(files: dict[str, bytes | str]) -> Path:
        root = tmp_path / f"source-{next(counter)}"
        root.mkdir()
        for relative, content in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode() if isinstance(content, str) else content)
        return root

    return write


@pytest.fixture
def assert_no_working_tree() -> Callable[[TaxonomyRepository], None]:
    def check(repo: TaxonomyRepository) -> None:
        unexpected = set(os.listdir(repo.path)) - BARE_REPO_ENTRIES
        assert not unexpected, f"bare repository holds unexpected entries {sorted(unexpected)}"
        assert not (repo.path / "index").exists()

    return check


@pytest.fixture
def git_cli() -> Callable[..., str]:
    """Plain git for building fixture repositories (never used on the repository under test for writes)."""
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Fixture",
        "GIT_AUTHOR_EMAIL": "fixture@example.org",
        "GIT_COMMITTER_NAME": "Fixture",
        "GIT_COMMITTER_EMAIL": "fixture@example.org",
    }

    def run(*args: str, cwd: Path) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
        ).stdout

    return run


@pytest.fixture
def summit_bundle() -> Path:
    if not SUMMIT_BUNDLE.is_file():
        pytest.skip(f"the Summit bundle is not at {SUMMIT_BUNDLE}")
    return SUMMIT_BUNDLE
