"""Writing commits with plumbing, ref compare-and-swap, and reading the results back as diffs."""

from __future__ import annotations

import pytest

from taxonomy_app.git import (
    Author,
    FileChange,
    PathNotFound,
    PathRejected,
    RefConflict,
    RevisionNotFound,
)

BASE = {
    "README.md": b"# taxonomy\n",
    "knowledge/science/physics/qna.yaml": b"physics\n",
    "knowledge/science/chemistry/qna.yaml": b"chemistry\n",
    "knowledge/history/qna.yaml": b"history\n",
    "compositional_skills/writing/qna.yaml": b"writing\n",
}


@pytest.fixture
def base(bare_repo, author):
    sha = bare_repo.commit_files(ref="main", changes=BASE, message="Initial taxonomy", author=author)
    return bare_repo, sha


def tree_sha(repo, commit, path):
    parent, _, name = path.rpartition("/")
    return next(e.sha for e in repo.list_tree(commit, parent) if e.name == name)


def test_first_commit_on_an_empty_repository_is_a_root_commit(base):
    repo, sha = base

    assert repo.commit_info(sha).parents == ()
    assert repo.read_blobs(sha, list(BASE)) == BASE


def test_adds_modifies_and_deletes_leave_other_paths_untouched(base, author, assert_no_working_tree):
    repo, old = base

    new = repo.commit_files(
        ref="main",
        message="Edit",
        author=author,
        changes={
            "knowledge/science/physics/qna.yaml": b"physics v2\n",
            "knowledge/science/biology/cells/qna.yaml": b"cells\n",
            "knowledge/history/qna.yaml": None,
        },
    )

    assert repo.resolve("main") == new
    assert repo.commit_info(new).parents == (old,)
    files = {e.path: repo.read_blob(new, e.path) for e in repo.walk_files(new)}
    assert files == {
        "README.md": b"# taxonomy\n",
        "knowledge/science/physics/qna.yaml": b"physics v2\n",
        "knowledge/science/chemistry/qna.yaml": b"chemistry\n",
        "knowledge/science/biology/cells/qna.yaml": b"cells\n",
        "compositional_skills/writing/qna.yaml": b"writing\n",
    }
    assert not repo.exists(new, "knowledge/history")  # its last file went, so did the directory
    for untouched in ("compositional_skills", "knowledge/science/chemistry"):
        assert tree_sha(repo, new, untouched) == tree_sha(repo, old, untouched)
    assert tree_sha(repo, new, "README.md") == tree_sha(repo, old, "README.md")
    assert tree_sha(repo, new, "knowledge/science") != tree_sha(repo, old, "knowledge/science")
    assert_no_working_tree(repo)


def test_modifying_an_executable_file_keeps_its_mode(bare_repo, write_tree, author):
    source = write_tree({"tools/run.sh": "#!/bin/sh\n"})
    (source / "tools" / "run.sh").chmod(0o755)
    bare_repo.import_directory(source, message="import", author=author)

    sha = bare_repo.commit_files(
        ref="main", changes={"tools/run.sh": b"#!/bin/sh\nexit 0\n"}, message="m", author=author
    )

    assert bare_repo._load_tree(f"{sha}:tools")["run.sh"].mode == "100755"


def test_deleting_a_directory_and_replacing_a_file_with_a_directory(base, author):
    repo, _ = base

    sha = repo.commit_files(
        ref="main",
        message="Reshape",
        author=author,
        changes={
            "knowledge/science": None,
            "README.md": None,
            "README.md/nested.txt": b"now a directory\n",
        },
    )

    assert sorted(e.path for e in repo.walk_files(sha)) == [
        "README.md/nested.txt",
        "compositional_skills/writing/qna.yaml",
        "knowledge/history/qna.yaml",
    ]


def test_deleting_everything_leaves_an_empty_tree(base, author):
    repo, _ = base

    sha = repo.commit_files(ref="main", message="Empty", author=author, changes=dict.fromkeys(BASE))

    assert repo.list_tree(sha) == []


def test_invalid_edits_are_refused_and_the_ref_stays(base, author):
    repo, sha = base
    cases = [
        ({"knowledge/nothing.yaml": None}, PathNotFound, "does not exist"),
        ({"README.md/x.txt": b"x"}, PathRejected, "'README.md' is a file"),
        ({"knowledge": b"x"}, PathRejected, "is a directory"),
        ({"a": b"x", "a/b": b"y"}, PathRejected, "as a file"),
        ({"a.txt": "text, not bytes"}, TypeError, "must be bytes"),
    ]
    for changes, error, message in cases:
        with pytest.raises(error, match=message):
            repo.commit_files(ref="main", changes=changes, message="bad", author=author)
    with pytest.raises(ValueError, match="message"):
        repo.commit_files(ref="main", changes={"a.txt": b"x"}, message="  \n", author=author)
    assert repo.resolve("main") == sha


def test_new_branch_from_a_parent_and_revisions_on_it(base, author, other_author):
    repo, main_sha = base

    first = repo.commit_files(
        ref="contrib/12-physics",
        parent=main_sha,
        message="Physics v2",
        author=author,
        changes={"knowledge/science/physics/qna.yaml": b"v2\n"},
    )
    second = repo.commit_files(
        ref="refs/heads/contrib/12-physics",
        message="Physics v3",
        author=author,
        committer=other_author,
        changes={"knowledge/science/physics/qna.yaml": b"v3\n"},
    )

    assert repo.branches("contrib/") == {"contrib/12-physics": second}
    assert repo.resolve("main") == main_sha
    assert repo.commit_info(first).parents == (main_sha,)
    info = repo.commit_info(second)
    assert info.parents == (first,)
    assert (info.author_name, info.committer_name) == (author.name, other_author.name)
    assert repo.is_ancestor(main_sha, second) and not repo.is_ancestor(second, main_sha)
    assert repo.merge_base(second, "main") == main_sha


def test_parent_none_starts_an_unrelated_root_commit(base, author):
    repo, main_sha = base

    orphan = repo.commit_files(
        ref="docs", parent=None, changes={"doc.md": b"d"}, message="Docs", author=author
    )

    assert repo.commit_info(orphan).parents == ()
    assert repo.merge_base(orphan, main_sha) is None
    with pytest.raises(RevisionNotFound):
        repo.commit_files(ref="x", parent="no-such-commit", changes={}, message="m", author=author)


def test_stale_expected_old_raises_ref_conflict_and_keeps_the_ref(base, author):
    repo, old = base
    moved = repo.commit_files(ref="main", changes={"a.txt": b"a"}, message="Someone else", author=author)

    with pytest.raises(RefConflict) as caught:
        repo.commit_files(
            ref="main", expected_old=old, changes={"b.txt": b"b"}, message="Mine", author=author
        )

    assert (caught.value.expected, caught.value.actual) == (old, moved)
    assert repo.resolve("main") == moved
    assert not repo.exists("main", "b.txt")


def test_expected_old_none_means_the_branch_must_not_exist(base, author):
    repo, sha = base

    with pytest.raises(RefConflict):
        repo.commit_files(ref="main", expected_old=None, changes={"b.txt": b"b"}, message="m", author=author)
    created = repo.commit_files(
        ref="fresh", expected_old=None, parent=sha, changes={"b.txt": b"b"}, message="m", author=author
    )
    assert repo.resolve("fresh") == created


def test_matching_expected_old_commits(base, author):
    repo, old = base

    new = repo.commit_files(ref="main", expected_old=old, changes={"b.txt": b"b"}, message="m", author=author)

    assert repo.commit_info(new).parents == (old,)


def test_create_update_and_delete_branches_with_compare_and_swap(base, author):
    repo, sha = base
    later = repo.commit_files(ref="main", changes={"b.txt": b"b"}, message="m", author=author)

    repo.create_branch("review/1", sha)
    with pytest.raises(RefConflict):
        repo.create_branch("review/1", later)
    with pytest.raises(RefConflict):
        repo.update_ref("review/1", later, expected_old=later)
    assert repo.resolve("review/1") == sha
    repo.update_ref("review/1", later, expected_old=sha)
    assert repo.resolve("review/1") == later
    with pytest.raises(RefConflict):
        repo.update_ref("review/2", later, expected_old=sha)
    repo.update_ref("review/2", later, expected_old=None)
    with pytest.raises(RefConflict):
        repo.delete_branch("review/1", expected_old=sha)
    repo.delete_branch("review/1", expected_old=later)
    repo.delete_branch("review/2")
    assert repo.branches("review/") == {}
    with pytest.raises(RevisionNotFound):
        repo.delete_branch("review/2")
    with pytest.raises(ValueError, match="full hexadecimal"):
        repo.update_ref("main", later, expected_old=sha[:8])


def test_changed_files_and_diff_text_between_commits(base, author):
    repo, old = base
    new = repo.commit_files(
        ref="main",
        message="Move and edit",
        author=author,
        changes={
            "knowledge/science/physics/qna.yaml": None,
            "knowledge/physics/qna.yaml": b"physics\n",
            "knowledge/history/qna.yaml": b"history, revised\n",
            "README.md": None,
            "new/leaf/qna.yaml": b"new\n",
        },
    )

    assert repo.changed_files(old, new) == [
        FileChange("D", "README.md", None),
        FileChange("M", "knowledge/history/qna.yaml", None),
        FileChange("R", "knowledge/physics/qna.yaml", "knowledge/science/physics/qna.yaml"),
        FileChange("A", "new/leaf/qna.yaml", None),
    ]
    assert repo.changed_files(None, old) == [FileChange("A", path, None) for path in sorted(BASE)]
    assert repo.changed_files(new, new) == []

    diff = repo.diff_text(old, new, ["knowledge/history"])
    assert "--- a/knowledge/history/qna.yaml" in diff
    assert "-history\n+history, revised\n" in diff
    assert "README.md" not in diff
    full = repo.diff_text(old, new)
    assert "rename from knowledge/science/physics/qna.yaml" in full and "deleted file mode" in full


def test_file_history_of_a_file_and_a_directory_with_authors_and_dates(base, author, other_author):
    repo, first = base
    second = repo.commit_files(
        ref="main",
        changes={"knowledge/science/physics/qna.yaml": b"v2\n"},
        message="Physics v2\n\nLonger explanation.",
        author=other_author,
    )
    third = repo.commit_files(
        ref="main",
        changes={"compositional_skills/writing/qna.yaml": b"v2\n"},
        message="Writing v2",
        author=author,
    )
    fourth = repo.commit_files(
        ref="main",
        changes={"knowledge/science/chemistry/qna.yaml": b"v2\n"},
        message="Chemistry v2",
        author=Author("Émilie du Châtelet", "emilie@example.org"),
    )

    physics = repo.file_history("knowledge/science/physics/qna.yaml")
    assert [c.sha for c in physics] == [second, first]
    assert (physics[0].author_name, physics[0].author_email) == (other_author.name, other_author.email)
    assert (physics[0].summary, physics[0].message) == ("Physics v2", "Physics v2\n\nLonger explanation.")
    science = repo.file_history("knowledge/science/")
    assert [c.sha for c in science] == [fourth, second, first]
    assert science[0].author_name == "Émilie du Châtelet"
    assert [c.sha for c in repo.file_history("compositional_skills", max_count=1)] == [third]
    dates = [c.committed_at for c in repo.log()]
    assert dates == sorted(dates, reverse=True)
    assert all(c.authored_at.tzinfo is not None for c in science)
    assert repo.file_history("nothing/here") == []


def test_maintain_keeps_history_intact(base, author):
    repo, _ = base
    for index in range(3):
        repo.commit_files(ref="main", changes={f"n/{index}.txt": b"x"}, message=f"{index}", author=author)
    head = repo.resolve("main")
    files = {e.path: e.sha for e in repo.walk_files(head)}

    repo.maintain()

    assert repo.resolve("main") == head
    assert {e.path: e.sha for e in repo.walk_files(head)} == files
