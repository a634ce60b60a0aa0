"""services.index_sync: the full build, incremental syncs after commits, and proof that they are incremental."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest
import yaml

from taxonomy_app import services
from taxonomy_app.models import IndexState, SearchItem, TaxonomyNode

SAMPLE = Path(__file__).resolve().parents[2] / "taxonomy_app" / "sample_taxonomy" / "taxonomy"
PROVERBS = "compositional_skills/linguistics/proverbs/explaining_proverbs"
CANAL = "knowledge/history/local_history/millbrook_canal"
RECIPES = "compositional_skills/technology/cooking/recipe_unit_conversion"
MUSIC = "compositional_skills/arts/music/musical_terms"


def expected_from_sample() -> dict[str, tuple[int, int, int]]:
    """path -> (leaf_count, seed_count, qna_pair_count) computed from the sample files themselves."""
    totals: dict[str, list[int]] = {}
    for qna in SAMPLE.rglob("*"):
        if qna.is_dir():
            totals.setdefault(qna.relative_to(SAMPLE).as_posix(), [0, 0, 0])
    for qna in SAMPLE.rglob("qna.yaml"):
        data = yaml.safe_load(qna.read_text(encoding="utf-8"))
        seeds = data["seed_examples"]
        pairs = sum(len(s.get("questions_and_answers", [])) for s in seeds) if "document" in data else len(seeds)
        leaf = qna.parent.relative_to(SAMPLE).as_posix()
        parts = leaf.split("/")
        for i in range(1, len(parts) + 1):
            bucket = totals["/".join(parts[:i])]
            bucket[0] += 1
            bucket[1] += len(seeds)
            bucket[2] += pairs
    return {path: tuple(v) for path, v in totals.items()}


def search_rows() -> set[tuple]:
    return set(SearchItem.objects.values_list("node__path", "field", "seed_index", "text"))


def rebuilt_snapshot(index_snapshot) -> tuple[dict, set]:
    """What a fresh full rebuild gives for the same head (run last: it replaces every row)."""
    result = services.index_sync(full=True)
    assert result.full_rebuild
    return index_snapshot(), search_rows()


def assert_equals_full_rebuild(index_snapshot) -> None:
    incremental, incremental_search = index_snapshot(), search_rows()
    rebuilt, rebuilt_search = rebuilt_snapshot(index_snapshot)
    only_inc = {k: v for k, v in incremental.items() if rebuilt.get(k) != v}
    only_full = {k: v for k, v in rebuilt.items() if incremental.get(k) != v}
    assert incremental == rebuilt, f"incremental differs from a full rebuild:\n{only_inc}\n{only_full}"
    assert incremental_search == rebuilt_search


def counts(path: str) -> tuple[int, int, int]:
    node = TaxonomyNode.objects.get(path=path)
    return node.leaf_count, node.seed_count, node.qna_pair_count


def test_full_build_matches_the_sample(sample_taxonomy, index_snapshot):
    expected = expected_from_sample()
    snapshot = index_snapshot()
    assert set(snapshot) == set(expected)
    for path, (leaf_count, seed_count, qna_count) in expected.items():
        assert counts(path) == (leaf_count, seed_count, qna_count), path
    assert counts("compositional_skills") == (8, 45, 45)
    assert counts("knowledge") == (2, 10, 30)
    assert counts("compositional_skills/grounded") == (3, 15, 15)
    assert counts("compositional_skills/geography") == (0, 0, 0)

    kinds = {path: row[0] for path, row in snapshot.items()}
    assert {p for p, k in kinds.items() if k == "root"} == {"compositional_skills", "knowledge"}
    leaves = {p: row[1] for p, row in snapshot.items() if row[0] == "leaf"}
    assert len(leaves) == 10
    assert sorted(leaves.values()).count("grounded_skill") == 3
    assert sorted(leaves.values()).count("freeform_skill") == 5
    assert sorted(leaves.values()).count("knowledge") == 2
    for path, row in snapshot.items():
        assert row[6] == (posixpath.dirname(path) or None), f"{path} has the wrong parent"
        if row[0] == "leaf":
            assert row[5] == next(e.sha for e in sample_taxonomy.walk_files("main") if e.path == f"{path}/qna.yaml")
        else:
            assert row[1] == "" and row[5] == ""
    head = sample_taxonomy.resolve("main")
    assert IndexState.objects.get(ref="main").commit_sha == head
    assert set(TaxonomyNode.objects.values_list("indexed_commit", flat=True)) == {head}
    assert TaxonomyNode.objects.filter(kind="leaf", is_valid=True).count() == 10
    # Every question, answer and context is searchable, tied to its seed example.
    proverbs = TaxonomyNode.objects.get(path=PROVERBS)
    fields = list(proverbs.search_items.order_by("id").values_list("field", "seed_index"))
    assert fields[0] == ("task_description", None)
    assert fields[1:] == [(f, i) for i in range(1, 7) for f in ("question", "answer")]
    sundials = TaxonomyNode.objects.get(path="knowledge/science/astronomy/sundials")
    assert sundials.search_items.filter(field="context").count() == 5
    assert sundials.search_items.filter(field="question").count() == 15
    assert sundials.search_items.filter(field__in=["domain", "document_outline"]).count() == 2


def test_sync_without_changes_does_nothing(sample_taxonomy, index_snapshot):
    before = dict(TaxonomyNode.objects.values_list("path", "updated_at"))
    result = services.index_sync()
    assert not result.changed and not (result.leaves_added or result.leaves_updated or result.leaves_removed)
    assert dict(TaxonomyNode.objects.values_list("path", "updated_at")) == before


def test_add_a_leaf_in_a_brand_new_nested_category(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    new = "compositional_skills/hobbies/knitting/stitch_names"
    head = commit_main(sample_taxonomy, leaf_files(new, n=7))
    result = services.index_sync()
    assert (result.old_commit, result.new_commit) != (None, None) and result.new_commit == head
    assert not result.full_rebuild
    assert (result.leaves_added, result.leaves_updated, result.leaves_removed) == ([new], [], [])
    assert counts(new) == (1, 7, 7)
    assert counts("compositional_skills/hobbies") == (1, 7, 7)
    assert counts("compositional_skills/hobbies/knitting") == (1, 7, 7)
    assert counts("compositional_skills") == (9, 52, 52)
    node = TaxonomyNode.objects.get(path=new)
    assert (node.kind, node.leaf_type, node.depth, node.parent.path) == (
        "leaf", "freeform_skill", 3, "compositional_skills/hobbies/knitting")
    assert TaxonomyNode.objects.get(path="compositional_skills/hobbies").kind == "category"
    assert node.is_valid is True and node.search_items.filter(field="question").count() == 7
    assert IndexState.objects.get(ref="main").commit_sha == head
    assert_equals_full_rebuild(index_snapshot)


def test_modify_a_leaf(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    qna = yaml.safe_load(sample_taxonomy.read_blob("main", f"{PROVERBS}/qna.yaml"))
    qna["seed_examples"].append({"question": "What does 'Better late than never' mean?",
                                 "answer": "Doing something late is better than not doing it at all."})
    old_sha = TaxonomyNode.objects.get(path=PROVERBS).blob_sha
    commit_main(sample_taxonomy, {f"{PROVERBS}/qna.yaml": yaml.safe_dump(qna, sort_keys=False).encode()})
    result = services.index_sync()
    assert (result.leaves_added, result.leaves_updated, result.leaves_removed) == ([], [PROVERBS], [])
    node = TaxonomyNode.objects.get(path=PROVERBS)
    assert node.seed_count == 7 and node.blob_sha != old_sha
    assert node.search_items.filter(field="question", seed_index=7).get().text.startswith("What does 'Better late")
    assert counts("compositional_skills/linguistics/proverbs") == (1, 7, 7)
    assert counts("compositional_skills/linguistics") == (2, 13, 13)
    assert counts("compositional_skills") == (8, 46, 46)
    assert_equals_full_rebuild(index_snapshot)


def test_changing_only_the_attribution_updates_the_leaf(sample_taxonomy, commit_main, index_snapshot):
    commit_main(sample_taxonomy, {f"{PROVERBS}/attribution.txt": b"Title of work: Something else\n"})
    result = services.index_sync()
    assert result.leaves_updated == [PROVERBS] and not result.leaves_added and not result.leaves_removed
    assert TaxonomyNode.objects.get(path=PROVERBS).attribution == "Title of work: Something else\n"
    assert_equals_full_rebuild(index_snapshot)


def test_delete_a_leaf_and_its_emptied_categories_vanish(sample_taxonomy, commit_main, index_snapshot):
    commit_main(sample_taxonomy, {f"{CANAL}/qna.yaml": None, f"{CANAL}/attribution.txt": None})
    result = services.index_sync()
    assert (result.leaves_added, result.leaves_updated, result.leaves_removed) == ([], [], [CANAL])
    for gone in (CANAL, "knowledge/history/local_history", "knowledge/history"):
        assert not TaxonomyNode.objects.filter(path=gone).exists(), gone
    assert not SearchItem.objects.filter(text__contains="Millbrook").exists()
    assert counts("knowledge") == (1, 5, 15)
    assert TaxonomyNode.objects.filter(path="knowledge/arts").exists()  # kept by its .gitignore
    assert_equals_full_rebuild(index_snapshot)


def test_rename_a_leaf_directory(sample_taxonomy, commit_main, index_snapshot):
    new = "compositional_skills/technology/cooking/unit_conversion"
    files = {e.path: sample_taxonomy.read_blob("main", e.path) for e in sample_taxonomy.walk_files("main", RECIPES)}
    changes = {path: None for path in files}
    changes.update({path.replace(RECIPES, new): data for path, data in files.items()})
    commit_main(sample_taxonomy, changes, message="Rename a leaf")
    assert any(c.status == "R" for c in sample_taxonomy.changed_files(
        sample_taxonomy.resolve("main~1"), sample_taxonomy.resolve("main")))
    result = services.index_sync()
    assert (result.leaves_added, result.leaves_updated, result.leaves_removed) == ([new], [], [RECIPES])
    assert not TaxonomyNode.objects.filter(path=RECIPES).exists()
    assert counts(new) == (1, 6, 6) and counts("compositional_skills/technology/cooking") == (1, 6, 6)
    assert counts("compositional_skills") == (8, 45, 45)
    assert_equals_full_rebuild(index_snapshot)


def test_turn_a_leaf_into_a_category(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    child = f"{MUSIC}/italian_terms"
    changes = {f"{MUSIC}/qna.yaml": None, f"{MUSIC}/attribution.txt": None, **leaf_files(child, n=5)}
    commit_main(sample_taxonomy, changes)
    result = services.index_sync()
    assert (result.leaves_added, result.leaves_updated, result.leaves_removed) == ([child], [], [MUSIC])
    node = TaxonomyNode.objects.get(path=MUSIC)
    assert (node.kind, node.leaf_type, node.blob_sha, node.contents, node.qna_yaml, node.is_valid) == (
        "category", "", "", None, "", None)
    assert not node.search_items.exists()
    assert counts(MUSIC) == (1, 5, 5) and counts("compositional_skills/arts") == (1, 5, 5)
    assert counts("compositional_skills") == (8, 44, 44)
    assert TaxonomyNode.objects.get(path=child).parent_id == node.pk
    assert_equals_full_rebuild(index_snapshot)


def test_turn_a_category_into_a_leaf(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    # compositional_skills/history holds only a .gitignore; giving it a qna.yaml makes it a leaf.
    commit_main(sample_taxonomy, leaf_files("compositional_skills/history", n=6))
    result = services.index_sync()
    assert result.leaves_added == ["compositional_skills/history"] and not result.leaves_removed
    assert TaxonomyNode.objects.get(path="compositional_skills/history").kind == "leaf"
    assert counts("compositional_skills") == (9, 51, 51)
    assert_equals_full_rebuild(index_snapshot)


def test_many_changes_in_one_commit(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    added = ["compositional_skills/hobbies/knitting/stitch_names", "knowledge/technology/gadgets/abacus"]
    changes = {f"{CANAL}/qna.yaml": None, f"{CANAL}/attribution.txt": None}
    for path in added:
        changes.update(leaf_files(path))
    qna = sample_taxonomy.read_blob("main", f"{PROVERBS}/qna.yaml").replace(b"labweb-samples", b"editor")
    changes[f"{PROVERBS}/qna.yaml"] = qna
    changes["README.md"] = b"outside the taxonomy roots\n"
    commit_main(sample_taxonomy, changes)
    result = services.index_sync()
    assert sorted(result.leaves_added) == sorted(added)
    assert result.leaves_updated == [PROVERBS] and result.leaves_removed == [CANAL]
    assert TaxonomyNode.objects.get(path=PROVERBS).created_by == "editor"
    assert not TaxonomyNode.objects.filter(path="README.md").exists()
    assert_equals_full_rebuild(index_snapshot)


def test_sibling_categories_differing_only_in_case(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    """Git paths are case-sensitive; the subtree counts must be too, on every database."""
    commit_main(sample_taxonomy, leaf_files("compositional_skills/Linguistics/idioms", n=9))
    result = services.index_sync()
    assert result.leaves_added == ["compositional_skills/Linguistics/idioms"]
    assert counts("compositional_skills/Linguistics") == (1, 9, 9)
    assert counts("compositional_skills/linguistics") == (2, 12, 12)
    assert counts("compositional_skills") == (9, 54, 54)
    commit_main(sample_taxonomy, {"compositional_skills/Linguistics/idioms/qna.yaml": None,
                                  "compositional_skills/Linguistics/idioms/attribution.txt": None})
    result = services.index_sync()
    assert result.leaves_removed == ["compositional_skills/Linguistics/idioms"]
    assert counts("compositional_skills/linguistics") == (2, 12, 12)
    assert_equals_full_rebuild(index_snapshot)


def test_incremental_sync_touches_only_the_changed_leaves(sample_taxonomy, commit_main, leaf_files, monkeypatch):
    before = {n.path: (n.pk, n.updated_at) for n in TaxonomyNode.objects.filter(kind="leaf")}
    search_before = dict(SearchItem.objects.exclude(node__path=PROVERBS).values_list("id", "node__path"))
    new = "compositional_skills/linguistics/riddles"
    qna = sample_taxonomy.read_blob("main", f"{PROVERBS}/qna.yaml").replace(b"labweb-samples", b"editor")
    commit_main(sample_taxonomy, {f"{PROVERBS}/qna.yaml": qna, **leaf_files(new)})

    asked: list[list[str]] = []
    original_read_blobs = sample_taxonomy.read_blobs

    def spy_read_blobs(commit, paths):
        asked.append(list(paths))
        return original_read_blobs(commit, paths)

    def no_walk(*args, **kwargs):
        raise AssertionError("an incremental sync must not walk the whole tree")

    monkeypatch.setattr(sample_taxonomy, "read_blobs", spy_read_blobs)
    monkeypatch.setattr(sample_taxonomy, "walk_files", no_walk)
    result = services.index_sync(repository=sample_taxonomy)
    assert result.leaves_added == [new] and result.leaves_updated == [PROVERBS]

    requested = sorted(p for call in asked for p in call)
    assert requested == sorted([f"{PROVERBS}/qna.yaml", f"{PROVERBS}/attribution.txt",
                                f"{new}/qna.yaml", f"{new}/attribution.txt"])
    after = {n.path: (n.pk, n.updated_at) for n in TaxonomyNode.objects.filter(kind="leaf")}
    for path, (pk, updated_at) in before.items():
        if path == PROVERBS:
            assert after[path][0] == pk and after[path][1] > updated_at
        else:
            assert after[path] == (pk, updated_at), f"{path} was rewritten although it did not change"
    # Search rows of the untouched leaves are the same rows.
    remaining = dict(SearchItem.objects.filter(id__in=search_before).values_list("id", "node__path"))
    assert remaining == search_before


def test_first_sync_and_full_sync_are_full_rebuilds(db, repos, commit_main, leaf_files):
    taxonomy = repos[0]
    result = services.index_sync()
    assert result.new_commit is None and not result.changed
    assert not TaxonomyNode.objects.exists()

    commit_main(taxonomy, leaf_files("compositional_skills/a/b"))
    first = services.index_sync()
    assert first.full_rebuild and first.leaves_added == ["compositional_skills/a/b"]
    again = services.index_sync(full=True)
    assert again.full_rebuild and again.leaves_updated == ["compositional_skills/a/b"] and not again.leaves_added


def test_rewritten_history_falls_back_to_a_full_rebuild(sample_taxonomy, commit_main, leaf_files, index_snapshot):
    # main is replaced by a commit without the indexed one in its history, and the old commit is gone.
    state = IndexState.objects.get(ref="main")
    state.commit_sha = "0" * 40
    state.save()
    commit_main(sample_taxonomy, leaf_files("compositional_skills/linguistics/riddles"))
    result = services.index_sync()
    assert result.full_rebuild
    assert "compositional_skills/linguistics/riddles" in result.leaves_added
    assert PROVERBS in result.leaves_updated
    assert counts("compositional_skills") == (9, 50, 50)


def test_main_deleted_empties_the_index(sample_taxonomy):
    sample_taxonomy.delete_branch("main")
    result = services.index_sync()
    assert len(result.leaves_removed) == 10
    assert not TaxonomyNode.objects.exists() and not SearchItem.objects.exists()


def test_foundational_skills_are_indexed_without_a_verdict(sample_taxonomy, commit_main, leaf_files):
    commit_main(sample_taxonomy, leaf_files("foundational_skills/reasoning/basic", n=3))
    services.index_sync()
    node = TaxonomyNode.objects.get(path="foundational_skills/reasoning/basic")
    assert node.is_valid is None and node.seed_count == 3
    assert TaxonomyNode.objects.get(path="foundational_skills").kind == "root"


def test_invalid_and_unparsable_leaves_are_indexed_with_their_errors(sample_taxonomy, commit_main):
    commit_main(sample_taxonomy, {
        "compositional_skills/broken/yaml/qna.yaml": b"version: 3\nseed_examples: [unclosed\n",
        "compositional_skills/broken/yaml/attribution.txt": b"x\n",
    })
    result = services.index_sync()
    assert result.leaves_added == ["compositional_skills/broken/yaml"]
    node = TaxonomyNode.objects.get(path="compositional_skills/broken/yaml")
    assert node.kind == "leaf" and node.is_valid is False and node.seed_count == 0
    assert node.validation["errors"] and node.validation["errors"][0]["line"] is not None
    assert "seed_examples: [unclosed" in node.qna_yaml


@pytest.mark.parametrize("command_args, full", [((), False), (("--full",), True)])
def test_sync_command(sample_taxonomy, commit_main, leaf_files, command_args, full):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("taxonomy", "sync", *command_args, stdout=out)
    if full:
        assert f"Index at {sample_taxonomy.resolve('main')[:12]}: +0 ~10 -0." in out.getvalue()
    else:
        assert f"The index is already at {sample_taxonomy.resolve('main')[:12]}." in out.getvalue()
    head = commit_main(sample_taxonomy, leaf_files("compositional_skills/linguistics/riddles"))
    out = io.StringIO()
    call_command("taxonomy", "sync", *command_args, stdout=out)
    expected = "+1 ~10 -0" if full else "+1 ~0 -0"
    assert f"Index at {head[:12]}: {expected}." in out.getvalue()


def test_parallel_full_rebuild_gives_the_same_index_as_a_serial_one(sample_taxonomy, index_snapshot, monkeypatch):
    from taxonomy_app import services
    from taxonomy_app.models import TaxonomyNode

    serial = index_snapshot()
    serial_validation = dict(TaxonomyNode.objects.values_list("path", "validation"))
    monkeypatch.setattr(services, "PARALLEL_INDEX_MIN_LEAVES", 1)
    calls = []
    original = services._leaf_fields_many
    monkeypatch.setattr(services, "_leaf_fields_many", lambda jobs: calls.append(len(jobs)) or original(jobs))
    services.index_sync(full=True)
    assert calls == [10]
    assert index_snapshot() == serial
    assert dict(TaxonomyNode.objects.values_list("path", "validation")) == serial_validation
