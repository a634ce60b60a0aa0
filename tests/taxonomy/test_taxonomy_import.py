"""`manage.py taxonomy import`: a directory, a git repository (path, file:// URL, bundle), and re-imports."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from taxonomy_app import services
from taxonomy_app.models import IndexState, TaxonomyNode

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Corpus", "GIT_AUTHOR_EMAIL": "corpus@example.test",
           "GIT_COMMITTER_NAME": "Corpus", "GIT_COMMITTER_EMAIL": "corpus@example.test"}
ROOTS = ("compositional_skills", "knowledge", "foundational_skills")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True,
                          text=True).stdout.strip()


def writable_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for directory, _, _ in os.walk(target):
        os.chmod(directory, 0o755)
    return target


def run_import(source: str) -> str:
    out = io.StringIO()
    call_command("taxonomy", "import", source, stdout=out)
    return out.getvalue()


def corpus_index(corpus: Path, tree: str) -> dict:
    return json.loads((corpus / f"{tree}.index.json").read_text(encoding="utf-8"))


def assert_index_matches(corpus: Path, tree: str) -> None:
    index = corpus_index(corpus, tree)
    leaves = {n.path: n for n in TaxonomyNode.objects.filter(kind="leaf")}
    assert len(leaves) == index["qna_count"]
    for entry in index["files"]:
        node = leaves[entry["leaf"]]
        assert node.leaf_type == entry["type"], entry["leaf"]
        assert node.seed_count == entry["seed_examples"], entry["leaf"]
        assert node.qna_pair_count == entry["qna_pairs"], entry["leaf"]
        assert node.version == entry["version"] and node.created_by == entry["created_by"]
        assert node.is_valid == entry["valid_ci"], (entry["leaf"], node.validation)
    assert set(TaxonomyNode.objects.values_list("path", flat=True)) == set(index["directories"])
    for root in ROOTS:
        node = TaxonomyNode.objects.get(path=root)
        mine = [e for e in index["files"] if e["top"] == root]
        assert (node.leaf_count, node.seed_count) == (len(mine), sum(e["seed_examples"] for e in mine)), root


def test_import_a_directory(db, repos, corpus):
    taxonomy = repos[0]
    output = run_import(str(corpus / "taxonomy-2025"))
    assert "16 topics added, 0 updated, 0 removed (full index rebuild)." in output
    assert_index_matches(corpus, "taxonomy-2025")
    head = taxonomy.resolve("main")
    assert IndexState.objects.get(ref="main").commit_sha == head
    assert taxonomy.commit_info(head).summary == "Import taxonomy from taxonomy-2025"
    files = {e.path for e in taxonomy.walk_files(head)}
    assert "knowledge/arts/music/fandom/swifties/qna.yaml" in files and "README.md" in files
    assert not any(p == ".git" or p.startswith(".git/") for p in files)


@pytest.fixture
def corpus_git_repo(corpus, tmp_path) -> Path:
    source = writable_copy(corpus / "taxonomy-2025", tmp_path / "source")
    git("init", "-q", "-b", "main", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "Upstream taxonomy 2025", cwd=source)
    return source


@pytest.mark.parametrize("how", ["path", "file-url", "bare-path", "bundle"])
def test_import_a_git_repository(db, repos, corpus, corpus_git_repo, tmp_path, how):
    taxonomy = repos[0]
    upstream_head = git("rev-parse", "HEAD", cwd=corpus_git_repo)
    if how == "path":
        source = str(corpus_git_repo)
    elif how == "file-url":
        source = corpus_git_repo.as_uri()
    elif how == "bare-path":
        source = str(tmp_path / "upstream.git")
        git("clone", "-q", "--bare", str(corpus_git_repo), source, cwd=tmp_path)
    else:
        source = str(tmp_path / "upstream.bundle")
        git("bundle", "create", source, "--all", cwd=corpus_git_repo)
    output = run_import(source)
    assert "16 topics added" in output
    assert taxonomy.resolve("main") == upstream_head  # the upstream history, not a new commit
    assert taxonomy.commit_info(upstream_head).summary == "Upstream taxonomy 2025"
    assert_index_matches(corpus, "taxonomy-2025")


def test_importing_the_same_repository_again_changes_nothing(db, repos, corpus, corpus_git_repo):
    run_import(str(corpus_git_repo))
    ids = dict(TaxonomyNode.objects.values_list("path", "id"))
    output = run_import(corpus_git_repo.as_uri())
    assert "0 topics added, 0 updated, 0 removed." in output
    assert dict(TaxonomyNode.objects.values_list("path", "id")) == ids


def leaf_dirs(tree: Path) -> set[str]:
    return {p.parent.relative_to(tree).as_posix() for p in tree.rglob("qna.yaml")
            if p.relative_to(tree).parts[0] in ROOTS}


def leaf_bytes(tree: Path, leaf: str) -> tuple[bytes, bytes | None]:
    attribution = tree / leaf / "attribution.txt"
    return (tree / leaf / "qna.yaml").read_bytes(), attribution.read_bytes() if attribution.exists() else None


def test_import_2024_then_2025_is_an_incremental_sync(db, repos, corpus, index_snapshot):
    taxonomy = repos[0]
    old_tree, new_tree = corpus / "taxonomy-2024", corpus / "taxonomy-2025"
    first = services.taxonomy_import(source=str(old_tree))
    assert first.full_rebuild and len(first.leaves_added) == corpus_index(corpus, "taxonomy-2024")["qna_count"]
    assert_index_matches(corpus, "taxonomy-2024")
    kept_ids = dict(TaxonomyNode.objects.values_list("path", "id"))

    old_leaves, new_leaves = leaf_dirs(old_tree), leaf_dirs(new_tree)
    common = old_leaves & new_leaves
    changed = {leaf for leaf in common if leaf_bytes(old_tree, leaf) != leaf_bytes(new_tree, leaf)}
    second = services.taxonomy_import(source=str(new_tree))
    assert not second.full_rebuild and second.old_commit == first.new_commit
    assert sorted(second.leaves_removed) == sorted(old_leaves - new_leaves)
    assert sorted(second.leaves_added) == sorted(new_leaves - old_leaves)
    assert sorted(second.leaves_updated) == sorted(changed)
    assert len(second.leaves_removed) > 100  # the 2025 tree is much smaller
    assert taxonomy.commit_info(second.new_commit).parents == (first.new_commit,)
    assert_index_matches(corpus, "taxonomy-2025")
    for leaf in common - changed:
        assert TaxonomyNode.objects.get(path=leaf).id == kept_ids[leaf], f"{leaf} was rebuilt needlessly"

    incremental = index_snapshot()
    services.index_sync(full=True)
    assert index_snapshot() == incremental


def test_import_failures_are_command_errors(db, repos, tmp_path):
    with pytest.raises(CommandError, match="Import failed"):
        run_import(str(tmp_path / "does-not-exist"))
    with pytest.raises(CommandError, match="Import failed"):
        run_import((tmp_path / "nothing-here").as_uri())
    assert not TaxonomyNode.objects.exists() and repos[0].resolve("main") is None
