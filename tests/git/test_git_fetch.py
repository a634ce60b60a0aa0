"""Importing existing git history: from a local repository path and from a git bundle."""

from __future__ import annotations

import pytest

from taxonomy_app.git import GitError, TaxonomyRepository

SUMMIT_COMMIT = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697"


@pytest.fixture
def upstream(tmp_path, git_cli):
    """A normal (non-bare) repository with two commits on `trunk` and one on `feature`."""
    work = tmp_path / "upstream"
    work.mkdir()
    git_cli("init", "--quiet", "--initial-branch=trunk", cwd=work)
    (work / "knowledge").mkdir()
    (work / "knowledge" / "qna.yaml").write_text("v1\n")
    git_cli("add", "-A", cwd=work)
    git_cli("commit", "--quiet", "-m", "first", cwd=work)
    (work / "knowledge" / "qna.yaml").write_text("v2\n")
    git_cli("commit", "--quiet", "-am", "second", cwd=work)
    git_cli("checkout", "--quiet", "-b", "feature", cwd=work)
    (work / "feature.txt").write_text("f\n")
    git_cli("add", "-A", cwd=work)
    git_cli("commit", "--quiet", "-m", "feature", cwd=work)
    git_cli("checkout", "--quiet", "trunk", cwd=work)
    heads = {name: git_cli("rev-parse", name, cwd=work).strip() for name in ("trunk", "feature")}
    return work, heads


def test_fetch_into_from_a_local_path_brings_the_whole_history(bare_repo, upstream, assert_no_working_tree):
    work, heads = upstream

    sha = bare_repo.fetch_into(str(work))

    assert sha == heads["trunk"] == bare_repo.resolve("main")
    assert [c.summary for c in bare_repo.log()] == ["second", "first"]
    assert bare_repo.read_blob("main", "knowledge/qna.yaml") == b"v2\n"
    assert bare_repo.branches() == {"main": sha}
    assert not list((bare_repo.path / "refs").rglob("imports/*"))  # the scratch ref is gone
    assert_no_working_tree(bare_repo)


def test_fetch_into_a_named_source_ref_and_target(bare_repo, upstream):
    work, heads = upstream

    sha = bare_repo.fetch_into(work, source_ref="refs/heads/feature", target_ref="imported/feature")

    assert sha == heads["feature"] == bare_repo.resolve("imported/feature")
    assert bare_repo.resolve("main") is None


def test_fetch_into_replaces_existing_history_of_the_target(bare_repo, upstream, author):
    work, heads = upstream
    bare_repo.commit_files(ref="main", changes={"old.txt": b"old"}, message="local", author=author)

    sha = bare_repo.fetch_into(work, source_ref="trunk")

    assert sha == heads["trunk"] == bare_repo.resolve("main")
    assert not bare_repo.exists("main", "old.txt")


def test_fetch_into_from_another_labweb_repository_and_a_missing_ref(bare_repo, tmp_path, author):
    other = TaxonomyRepository.init_bare(tmp_path / "other.git")
    head = other.commit_files(ref="main", changes={"a.txt": b"a"}, message="a", author=author)

    assert bare_repo.fetch_into(str(other.path), source_ref="main") == head
    with pytest.raises(GitError, match="fetch failed"):
        bare_repo.fetch_into(str(other.path), source_ref="no-such-branch")
    with pytest.raises(GitError):
        bare_repo.fetch_into(str(tmp_path / "does-not-exist.git"))
    assert bare_repo.resolve("main") == head


def test_fetch_into_from_the_summit_bundle(bare_repo, summit_bundle):
    sha = bare_repo.fetch_into(str(summit_bundle))

    assert sha == bare_repo.resolve("main")
    assert bare_repo.resolve(SUMMIT_COMMIT) == SUMMIT_COMMIT
    assert bare_repo.is_ancestor(SUMMIT_COMMIT, "main")
    files = list(bare_repo.walk_files("main"))
    assert files
    assert bare_repo.read_blobs("main", [e.path for e in files[:50]])
    assert bare_repo.log("main", max_count=5)


def test_fetch_into_resolves_relative_paths_against_the_caller(bare_repo, tmp_path, author, monkeypatch):
    other = TaxonomyRepository.init_bare(tmp_path / "relative.git")
    head = other.commit_files(ref="main", changes={"a.txt": b"a"}, message="a", author=author)
    monkeypatch.chdir(tmp_path)

    assert bare_repo.fetch_into("relative.git") == head


def test_fetch_into_gives_up_after_its_timeout(bare_repo, monkeypatch):
    monkeypatch.setenv("GIT_SSH_COMMAND", "sleep 30; true")  # a remote that never answers

    with pytest.raises(GitError, match="timed out after 1 s"):
        bare_repo.fetch_into("ssh://git.invalid/taxonomy.git", timeout_s=1)

    assert bare_repo.branches() == {}
