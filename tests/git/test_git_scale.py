"""A 10,000-file taxonomy: import, walk and batched reads stay correct (and, by construction, fast)."""

from __future__ import annotations

import pytest

# Building 10,000 files on disk and importing them is I/O heavy; `-m "not slow"` skips this module.
pytestmark = pytest.mark.slow

FILE_COUNT = 10_000


LEAF_FILES = ("qna.yaml", "attribution.txt", "doc1.md", "doc2.md")


def _path(index: int) -> str:
    leaf = index // len(LEAF_FILES)
    return f"knowledge/domain{leaf % 20}/topic{leaf % 250}/leaf{leaf}/{LEAF_FILES[index % len(LEAF_FILES)]}"


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory):
    from taxonomy_app.git import Author, TaxonomyRepository

    source = tmp_path_factory.mktemp("big-source")
    for index in range(FILE_COUNT):
        target = source / _path(index)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(f"seed {index}\n".encode())
    repo = TaxonomyRepository.init_bare(tmp_path_factory.mktemp("big") / "taxonomy.git")
    sha = repo.import_directory(
        source, message="Import 10k leaves", author=Author("Bulk", "bulk@example.org")
    )
    return repo, sha


def test_walk_files_and_read_blobs_on_ten_thousand_files(big_repo):
    repo, sha = big_repo

    files = list(repo.walk_files(sha))
    blobs = repo.read_blobs(sha, [entry.path for entry in files])

    assert len(files) == FILE_COUNT
    assert {entry.path for entry in files} == {_path(index) for index in range(FILE_COUNT)}
    assert len(blobs) == FILE_COUNT
    for index in (0, 1, 4_999, FILE_COUNT - 1):
        assert blobs[_path(index)] == f"seed {index}\n".encode()
    sizes = {entry.path: entry.size for entry in files}
    assert all(sizes[path] == len(content) for path, content in blobs.items())
    assert len(list(repo.walk_files(sha, "knowledge/domain3"))) == FILE_COUNT // 20


def test_small_commit_on_a_big_tree_rewrites_only_its_path(big_repo):
    repo, sha = big_repo
    from taxonomy_app.git import Author, FileChange

    new = repo.commit_files(
        ref="main",
        expected_old=sha,
        changes={_path(7): b"edited\n"},
        message="One leaf",
        author=Author("Editor", "editor@example.org"),
    )

    assert repo.changed_files(sha, new) == [FileChange("M", _path(7), None)]
    touched = _path(7).split("/")[1]
    untouched = {e.name: e.sha for e in repo.list_tree(sha, "knowledge") if e.name != touched}
    assert {e.name: e.sha for e in repo.list_tree(new, "knowledge") if e.name != touched} == untouched
    assert len(untouched) == 19
    assert len(repo.changed_files(None, new)) == FILE_COUNT
