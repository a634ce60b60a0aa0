"""`manage.py taxonomy lint`: verdicts, exit codes, the three output formats and file selection."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "taxonomy_app" / "sample_taxonomy" / "taxonomy"
SAMPLE_QNA = sorted(SAMPLE.rglob("qna.yaml"))
BROKEN = b"version: 3\ncreated_by: me\ntask_description: t\nseed_examples:\n  - question: q\n    answr: a\n"
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.test",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.test"}


def lint(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("taxonomy", "lint", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def broken_tree(tmp_path, leaf_files) -> Path:
    root = tmp_path / "tree"
    leaf = root / "compositional_skills" / "x" / "y"
    leaf.mkdir(parents=True)
    (leaf / "qna.yaml").write_bytes(BROKEN)
    (leaf / "attribution.txt").write_text("Title of work: x\n", encoding="utf-8")
    good = root / "compositional_skills" / "x" / "good"
    for path, data in leaf_files("compositional_skills/x/good").items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def test_sample_files_pass():
    code, out = lint(*map(str, SAMPLE_QNA), "--taxonomy-root", str(SAMPLE))
    assert code == 0
    assert out.strip().splitlines()[-1] == "10 files checked: 10 valid, 0 invalid (0 errors, 0 warnings)."
    code, out = lint("--taxonomy-root", str(SAMPLE))  # the whole tree
    assert code == 0 and "10 files checked: 10 valid" in out
    code, out = lint(str(SAMPLE / "knowledge"), "--taxonomy-root", str(SAMPLE), "--mode", "ilab")
    assert code == 0 and "2 files checked: 2 valid" in out


def test_a_broken_file_fails_with_line_numbers(broken_tree):
    code, out = lint(str(broken_tree / "compositional_skills/x/y/qna.yaml"), "--taxonomy-root", str(broken_tree))
    assert code == 1
    lines = out.strip().splitlines()
    assert "ERROR: compositional_skills/x/y/qna.yaml:6:5 [R10-unknown-key]" in out and "'answr'" in out
    assert "ERROR: compositional_skills/x/y/qna.yaml:5:5 [R9-missing-key]" in out
    assert "[R12-too-few-seeds]" in out
    assert lines[-1] == "1 file checked: 0 valid, 1 invalid (3 errors, 0 warnings)."
    # One broken file among good ones still fails the run.
    code, out = lint("--taxonomy-root", str(broken_tree))
    assert code == 1 and "2 files checked: 1 valid, 1 invalid" in out


def test_json_format_is_the_documented_list(broken_tree):
    code, out = lint("--taxonomy-root", str(broken_tree), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert isinstance(data, list) and [d["path"] for d in data] == [
        "compositional_skills/x/good/qna.yaml", "compositional_skills/x/y/qna.yaml"]
    for entry in data:
        assert set(entry) == {"path", "valid", "errors", "warnings"}
        for issue in entry["errors"] + entry["warnings"]:
            assert set(issue) == {"line", "column", "rule", "message"}
            assert isinstance(issue["message"], str) and issue["message"]
    good, bad = data
    assert good["valid"] is True and good["errors"] == []
    assert bad["valid"] is False
    assert {(e["line"], e["column"], e["rule"]) for e in bad["errors"]} == {
        (4, 1, "R12-too-few-seeds"), (5, 5, "R9-missing-key"), (6, 5, "R10-unknown-key")}
    code, out = lint(str(SAMPLE_QNA[0]), "--taxonomy-root", str(SAMPLE), "--format", "json")
    assert code == 0 and json.loads(out)[0]["valid"] is True


def test_github_format_prints_workflow_commands(broken_tree):
    code, out = lint("--taxonomy-root", str(broken_tree), "--format", "github")
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith("::error ") for line in lines)
    assert ("::error file=compositional_skills/x/y/qna.yaml,line=6,col=5,title=R10-unknown-key::"
            "Seed example 1 has a field that is not allowed: 'answr'.") in out
    code, out = lint(str(SAMPLE_QNA[0]), "--taxonomy-root", str(SAMPLE), "--format", "github")
    assert code == 0 and out.strip() == ""


@pytest.fixture
def work_tree(tmp_path) -> Path:
    """A git checkout of the sample taxonomy with one commit, like a contributor's clone."""
    root = tmp_path / "checkout"
    shutil.copytree(SAMPLE, root)
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "base", cwd=root)
    return root


def test_diff_lints_only_changed_and_untracked_files(work_tree, leaf_files):
    modified = work_tree / "compositional_skills/linguistics/proverbs/explaining_proverbs/qna.yaml"
    modified.write_bytes(modified.read_bytes().replace(b"version: 3", b"version: 3\nbogus_key: 1"))
    for path, data in leaf_files("compositional_skills/linguistics/riddles").items():
        (work_tree / path).parent.mkdir(parents=True, exist_ok=True)
        (work_tree / path).write_bytes(data)
    (work_tree / "knowledge/science/astronomy/sundials/qna.yaml").unlink()  # deletions are not linted
    (work_tree / "compositional_skills/technology/cooking/recipe_unit_conversion/notes.yaml").write_text("a: 1\n")
    (work_tree / "README.md").write_text("not YAML\n")

    code, out = lint("--taxonomy-root", str(work_tree), "--diff", "main", "--mode", "ilab", "--format", "json")
    data = json.loads(out)
    assert sorted(d["path"] for d in data) == [
        "compositional_skills/linguistics/proverbs/explaining_proverbs/qna.yaml",
        "compositional_skills/linguistics/riddles/qna.yaml",
    ]
    assert code == 1
    verdicts = {d["path"]: d["valid"] for d in data}
    assert verdicts["compositional_skills/linguistics/riddles/qna.yaml"] is True
    assert verdicts["compositional_skills/linguistics/proverbs/explaining_proverbs/qna.yaml"] is False

    # The CI mode also checks any other YAML file under the roots.
    code, out = lint("--taxonomy-root", str(work_tree), "--diff", "main", "--mode", "ci", "--format", "json")
    assert "compositional_skills/technology/cooking/recipe_unit_conversion/notes.yaml" in {
        d["path"] for d in json.loads(out)}

    # Committed changes count against an older base; nothing changed against the new head.
    git("add", "-A", cwd=work_tree)
    git("commit", "-q", "-m", "changes", cwd=work_tree)
    code, out = lint("--taxonomy-root", str(work_tree), "--diff", "HEAD~1", "--mode", "ilab", "--format", "json")
    assert len(json.loads(out)) == 2 and code == 1
    code, out = lint("--taxonomy-root", str(work_tree), "--diff", "HEAD", "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_diff_with_a_bad_ref_or_no_work_tree_is_a_clear_error(work_tree, tmp_path):
    with pytest.raises(CommandError, match=r'Couldn\'t find the git ref "no-such-branch" in'):
        lint("--taxonomy-root", str(work_tree), "--diff", "no-such-branch")
    plain = tmp_path / "plain"
    shutil.copytree(SAMPLE, plain)
    with pytest.raises(CommandError, match="not a git"):
        lint("--taxonomy-root", str(plain), "--diff", "main")
    with pytest.raises(CommandError, match="does not exist"):
        lint(str(tmp_path / "missing.yaml"))


def test_lint_of_labweb_main_without_arguments(sample_taxonomy, commit_main):
    code, out = lint()
    assert code == 0 and "10 files checked: 10 valid, 0 invalid" in out
    base = sample_taxonomy.resolve("main")
    commit_main(sample_taxonomy, {"compositional_skills/x/y/qna.yaml": BROKEN,
                                  "compositional_skills/x/y/attribution.txt": b"Title of work: x\n"})
    code, out = lint("--format", "json")
    assert code == 1 and len(json.loads(out)) == 11
    code, out = lint("--diff", base, "--format", "json")
    data = json.loads(out)
    assert code == 1 and [d["path"] for d in data] == ["compositional_skills/x/y/qna.yaml"]
    with pytest.raises(CommandError, match='Couldn\'t find the git ref "nope"'):
        lint("--diff", "nope")


def test_lint_of_an_empty_main_is_a_clear_error(db, repos):
    with pytest.raises(CommandError, match='The branch "main" does not exist'):
        lint()


def test_exit_codes_of_the_real_command(broken_tree, tmp_path):
    env = {**os.environ, "LABWEB_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "labweb.settings"}
    env.pop("DATABASE_URL", None)
    base = [sys.executable, "manage.py", "taxonomy", "lint", "--taxonomy-root"]
    ok = subprocess.run(base + [str(SAMPLE)], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "10 files checked: 10 valid" in ok.stdout, ok.stderr
    bad = subprocess.run(base + [str(broken_tree), "--format", "github"], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and re.search(r"^::error file=compositional_skills/x/y/qna.yaml,line=6", bad.stdout,
                                             re.M), bad.stderr
    error = subprocess.run(base + [str(broken_tree), "--diff", "main"], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert error.returncode == 1 and "CommandError:" in error.stderr and "Traceback" not in error.stderr


def test_diff_when_the_taxonomy_is_a_subdirectory_of_the_work_tree(tmp_path, leaf_files):
    top = tmp_path / "monorepo"
    shutil.copytree(SAMPLE, top / "taxonomy")
    (top / "README.md").write_text("top\n")
    git("init", "-q", "-b", "main", cwd=top)
    git("add", "-A", cwd=top)
    git("commit", "-q", "-m", "base", cwd=top)
    (top / "README.md").write_text("changed outside the taxonomy\n")
    for path, data in leaf_files("compositional_skills/geography/capitals").items():
        (top / "taxonomy" / path).parent.mkdir(parents=True, exist_ok=True)
        (top / "taxonomy" / path).write_bytes(data)
    for path, data in leaf_files("knowledge/café/crème").items():  # a name git would quote
        (top / "taxonomy" / path).parent.mkdir(parents=True, exist_ok=True)
        (top / "taxonomy" / path).write_bytes(data)
    code, out = lint("--taxonomy-root", str(top / "taxonomy"), "--diff", "main", "--mode", "ilab", "--format", "json")
    assert sorted(d["path"] for d in json.loads(out)) == [
        "compositional_skills/geography/capitals/qna.yaml", "knowledge/café/crème/qna.yaml"]
