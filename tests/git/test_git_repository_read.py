"""Opening repositories, importing a directory, and every read operation."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from taxonomy_app.git import (
    GitError,
    PathNotFound,
    PathRejected,
    RevisionNotFound,
    TaxonomyRepository,
    TreeEntry,
)

SMALL_TREE = {
    "README.md": "# taxonomy\n",
    "knowledge/science/physics/qna.yaml": "version: 3\n",
    "knowledge/science/physics/attribution.txt": "Title: physics\n",
    "knowledge/science/chemistry/qna.yaml": "version: 3\nchem: true\n",
    "compositional_skills/writing/poetry/qna.yaml": "version: 2\n",
}


@pytest.fixture
def imported(bare_repo, write_tree, author):
    sha = bare_repo.import_directory(write_tree(SMALL_TREE), message="Import the taxonomy", author=author)
    return bare_repo, sha


def test_init_bare_creates_an_empty_repository_with_the_default_branch(tmp_path):
    repo = TaxonomyRepository.init_bare(tmp_path / "new.git", default_branch="trunk")

    assert repo.path == tmp_path / "new.git"
    assert (repo.path / "HEAD").read_text() == "ref: refs/heads/trunk\n"
    assert repo.resolve("trunk") is None
    assert repo.branches() == {}
    assert repo.log("trunk") == []


def test_init_bare_is_idempotent(imported, tmp_path):
    repo, sha = imported

    again = TaxonomyRepository.init_bare(repo.path)

    assert again.resolve("main") == sha


def test_open_rejects_missing_and_non_bare_paths(tmp_path, git_cli):
    with pytest.raises(GitError, match="does not exist"):
        TaxonomyRepository(tmp_path / "missing.git")
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        TaxonomyRepository(tmp_path / "plain")
    (tmp_path / "worktree").mkdir()
    git_cli("init", "--quiet", cwd=tmp_path / "worktree")
    with pytest.raises(GitError, match="not a bare repository"):
        TaxonomyRepository(tmp_path / "worktree")
    with pytest.raises(GitError, match="not a bare repository"):
        TaxonomyRepository(tmp_path / "worktree" / ".git")


def test_init_bare_refuses_a_non_empty_directory_that_is_not_a_repository(tmp_path):
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "notes.txt").write_text("x")

    with pytest.raises(GitError):
        TaxonomyRepository.init_bare(tmp_path / "stuff")


def test_import_directory_then_read_tree_blobs_and_history(imported, author, assert_no_working_tree):
    repo, sha = imported

    assert repo.resolve("main") == sha
    assert [(e.name, e.kind) for e in repo.list_tree(sha)] == [
        ("README.md", "blob"),
        ("compositional_skills", "tree"),
        ("knowledge", "tree"),
    ]
    physics = repo.list_tree("main", "knowledge/science/physics")
    assert physics == [
        TreeEntry("knowledge/science/physics/attribution.txt", "attribution.txt", "blob", physics[0].sha, 15),
        TreeEntry("knowledge/science/physics/qna.yaml", "qna.yaml", "blob", physics[1].sha, 11),
    ]
    assert sorted(e.path for e in repo.walk_files(sha)) == sorted(SMALL_TREE)
    assert sorted(e.path for e in repo.walk_files(sha, "knowledge/science")) == sorted(
        p for p in SMALL_TREE if p.startswith("knowledge/")
    )
    assert all(e.kind == "blob" and e.size == len(SMALL_TREE[e.path]) for e in repo.walk_files(sha))
    assert repo.read_blob(sha, "knowledge/science/chemistry/qna.yaml") == b"version: 3\nchem: true\n"
    assert repo.read_blobs("main", list(SMALL_TREE)) == {p: c.encode() for p, c in SMALL_TREE.items()}
    assert repo.exists(sha, "knowledge/science") and repo.exists(sha, "README.md") and repo.exists(sha, "")
    assert not repo.exists(sha, "knowledge/maths")

    [commit] = repo.log()
    assert commit.sha == sha and commit.short_sha == sha[: len(commit.short_sha)] and commit.parents == ()
    assert (commit.summary, commit.message) == ("Import the taxonomy", "Import the taxonomy")
    assert (commit.author_name, commit.author_email, commit.committer_name) == (
        author.name,
        author.email,
        author.name,
    )
    assert commit.authored_at.utcoffset() == timedelta(0)
    assert abs(commit.authored_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert repo.commit_info(sha) == commit
    assert repo.file_history("knowledge/science/physics/qna.yaml") == [commit]
    assert_no_working_tree(repo)


def test_import_directory_skips_git_dirs_symlinks_and_excluded_paths(bare_repo, write_tree, author, tmp_path):
    source = write_tree(
        {"a/qna.yaml": "a", ".git/config": "[core]", "b/.git": "gitdir: x", "notes/tmp.swp": "x"}
    )
    (tmp_path / "secret").write_text("do not import")
    os.symlink(tmp_path / "secret", source / "a" / "link.txt")
    os.symlink(tmp_path, source / "linked_dir")
    (source / "a" / "run.sh").write_text("#!/bin/sh\n")
    (source / "a" / "run.sh").chmod(0o755)

    sha = bare_repo.import_directory(
        source, message="import", author=author, include=lambda relpath: not relpath.endswith(".swp")
    )

    assert sorted(e.path for e in bare_repo.walk_files(sha)) == ["a/qna.yaml", "a/run.sh"]
    modes = bare_repo._load_tree(f"{sha}:a")
    assert (modes["qna.yaml"].mode, modes["run.sh"].mode) == ("100644", "100755")


def test_import_directory_on_top_of_existing_history_replaces_the_tree(imported, write_tree, author):
    repo, first = imported

    second = repo.import_directory(write_tree({"only/file.txt": "x"}), message="re-import", author=author)

    assert repo.commit_info(second).parents == (first,)
    assert [e.path for e in repo.walk_files(second)] == ["only/file.txt"]


def test_import_directory_rejects_empty_sources_and_bad_names(bare_repo, write_tree, author, tmp_path):
    with pytest.raises(ValueError, match="no files"):
        bare_repo.import_directory(write_tree({}), message="m", author=author)
    with pytest.raises(PathRejected, match="control character"):
        bare_repo.import_directory(write_tree({"bad\nname.txt": "x"}), message="m", author=author)
    with pytest.raises(FileNotFoundError):
        bare_repo.import_directory(tmp_path / "nowhere", message="m", author=author)
    assert bare_repo.resolve() is None


def test_resolve_accepts_branches_full_refs_and_shas(imported):
    repo, sha = imported
    repo.create_branch("contrib/1-physics", sha)

    assert repo.resolve("main") == sha
    assert repo.resolve("refs/heads/main") == sha
    assert repo.resolve(sha) == sha
    assert repo.resolve(sha[:10]) == sha
    assert repo.resolve("HEAD") == sha
    assert repo.resolve("contrib/1-physics") == sha
    for missing in (
        "nope",
        "refs/heads/nope",
        "0" * 40,
        "-h",
        "--all",
        "main; rm -rf /",
        "main:README.md",
        "main@{upstream}",
        "main^{tree}",
        "",
    ):
        assert repo.resolve(missing) is None, missing


def test_branches_filters_by_prefix(imported):
    repo, sha = imported
    for name in ("contrib/1-a", "contrib/12-b", "review/1"):
        repo.create_branch(name, sha)

    assert repo.branches() == {"main": sha, "contrib/1-a": sha, "contrib/12-b": sha, "review/1": sha}
    assert repo.branches("contrib/1") == {"contrib/1-a": sha, "contrib/12-b": sha}
    assert repo.branches("contrib/1-") == {"contrib/1-a": sha}


def test_reading_missing_things_raises_clear_errors(imported):
    repo, sha = imported

    with pytest.raises(PathNotFound, match="does not exist"):
        repo.read_blob(sha, "knowledge/nope.yaml")
    with pytest.raises(FileNotFoundError):
        repo.read_blob(sha, "knowledge/nope.yaml")
    with pytest.raises(PathNotFound, match="is a tree"):
        repo.read_blob(sha, "knowledge")
    with pytest.raises(PathNotFound, match="not a directory"):
        repo.list_tree(sha, "README.md")
    with pytest.raises(PathNotFound):
        repo.walk_files(sha, "nowhere")
    with pytest.raises(RevisionNotFound, match="unknown revision"):
        repo.read_blob("no-such-branch", "README.md")
    with pytest.raises(RevisionNotFound):
        repo.commit_info("f" * 40)
    with pytest.raises(PathRejected):
        repo.read_blob(sha, "knowledge/../README.md")


def test_read_blobs_in_bulk_reports_missing_paths(imported):
    repo, sha = imported
    paths = list(SMALL_TREE) * 10  # more than the direct-lookup limit

    assert repo.read_blobs(sha, paths) == {p: c.encode() for p, c in SMALL_TREE.items()}
    with pytest.raises(PathNotFound, match="knowledge/science/x.yaml"):
        repo.read_blobs(sha, [*paths, "knowledge/science/x.yaml"])
    assert repo.read_blobs(sha, []) == {}


def test_log_and_history_limits(imported, author):
    repo, first = imported
    shas = [first]
    for index in range(3):
        shas.append(
            repo.commit_files(
                ref="main", changes={f"extra/{index}.txt": b"x"}, message=f"add {index}", author=author
            )
        )

    assert [c.sha for c in repo.log()] == shas[::-1]
    assert [c.sha for c in repo.log("main", max_count=2)] == shas[:1:-1]
    assert [c.sha for c in repo.file_history("extra")] == shas[:0:-1]
    assert [c.sha for c in repo.file_history("extra/1.txt")] == [shas[2]]
    assert repo.file_history("README.md", ref="no-such-branch") == []
    with pytest.raises(ValueError):
        repo.log(max_count=0)
