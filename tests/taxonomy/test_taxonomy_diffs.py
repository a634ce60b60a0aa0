"""Side-by-side diff rows from real git output."""

from taxonomy_app.diffs import side_by_side
from taxonomy_app.git import Author


def test_changed_lines_sit_on_one_row_and_line_numbers_follow_each_side(repos):
    repo = repos[0]
    author = Author(name="T", email="t@example.test")
    old = repo.commit_files(ref="main", changes={"a/qna.yaml": b"one\ntwo\nthree\nfour\n"}, message="1", author=author)
    new = repo.commit_files(ref="main", changes={"a/qna.yaml": b"one\nTWO\nthree\nfour\nfive\n",
                                                 "a/attribution.txt": b"Title of work: x\n"},
                            message="2", author=author)
    files = {f.path: f for f in side_by_side(repo.diff_text(old, new))}
    assert set(files) == {"a/qna.yaml", "a/attribution.txt"}
    rows = [(r.kind, r.old_number, r.old_text, r.new_number, r.new_text) for r in files["a/qna.yaml"].rows]
    assert ("change", 2, "two", 2, "TWO") in rows
    assert ("same", 3, "three", 3, "three") in rows
    assert ("add", None, "", 5, "five") in rows
    assert rows[0][0] == "hunk"
    added_file = [(r.kind, r.new_text) for r in files["a/attribution.txt"].rows if r.kind != "hunk"]
    assert added_file == [("add", "Title of work: x")]


def test_removed_lines_without_replacement_and_empty_input():
    text = ("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1,3 +1,1 @@\n keep\n-gone 1\n-gone 2\n"
            "\\ No newline at end of file\n")
    (diff,) = side_by_side(text)
    assert [(r.kind, r.old_number, r.old_text, r.new_number) for r in diff.rows[1:]] == [
        ("same", 1, "keep", 1), ("del", 2, "gone 1", None), ("del", 3, "gone 2", None)]
    assert side_by_side("") == []
