"""Rule R17: the documents a knowledge file names can be cloned, checked out and found (offline, with the bundle)."""

from pathlib import Path

import pytest
import yaml

from taxonomy_app.docsource import GitDocumentCheck, fetch_documents
from taxonomy_app.schema import validate_file

SUMMIT_COMMIT = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697"


@pytest.fixture
def bundle(corpus) -> str:
    path = corpus / "knowledge-docs" / "Summit_knowledge.bundle"
    if not path.exists():
        pytest.skip(f"{path} is missing")
    return str(path)


def test_fetch_finds_the_chickadee_document(bundle, tmp_path):
    result = fetch_documents(repo=bundle, commit=SUMMIT_COMMIT, patterns=["chickadee.md"],
                             destination=tmp_path / "repo")
    assert result.ok, result.issues
    assert result.files == ["chickadee.md"]
    assert (tmp_path / "repo" / "chickadee.md").read_text(encoding="utf-8").startswith(("#", "The", "{"))


def test_glob_is_not_recursive_in_ilab_style_but_is_in_sdg_style(bundle, tmp_path):
    ilab = fetch_documents(repo=bundle, commit=SUMMIT_COMMIT, patterns=["*.md"], destination=tmp_path / "a")
    sdg = fetch_documents(repo=bundle, commit=SUMMIT_COMMIT, patterns=["**/*.md"], destination=tmp_path / "b",
                          style="sdg")
    assert ilab.ok and len(ilab.files) > 40
    assert set(ilab.files) <= set(sdg.files)


@pytest.mark.parametrize("kwargs, expected", [
    ({"commit": SUMMIT_COMMIT, "patterns": ["nothing-here.md"]}, "None of the patterns matched"),
    ({"commit": "0" * 40, "patterns": ["chickadee.md"]}, "was not found"),
    ({"commit": SUMMIT_COMMIT, "patterns": ["LICENSE"]}, "not a Markdown (.md) or PDF"),
    ({"commit": SUMMIT_COMMIT, "patterns": ["../outside.md"]}, "must be a path inside the repository"),
])
def test_fetch_reports_problems_in_plain_words(bundle, tmp_path, kwargs, expected):
    result = fetch_documents(repo=bundle, destination=tmp_path / "repo", **kwargs)
    assert not result.ok
    assert any(expected in issue.message for issue in result.issues), result.issues


def test_unreachable_repository_is_an_error_not_a_crash(tmp_path):
    result = fetch_documents(repo=str(tmp_path / "missing.git"), commit="a" * 40, patterns=["x.md"],
                             destination=tmp_path / "repo", timeout_s=30)
    assert not result.ok
    assert "could not be cloned" in result.issues[0].message


def test_option_injection_through_the_repository_address_is_refused(tmp_path):
    result = fetch_documents(repo="--upload-pack=touch /tmp/pwned", commit="a" * 40, patterns=["x.md"],
                             destination=tmp_path / "repo")
    assert not result.ok and "not a git URL" in result.issues[0].message


def test_size_cap(bundle, tmp_path):
    result = fetch_documents(repo=bundle, commit=SUMMIT_COMMIT, patterns=["chickadee.md"],
                             destination=tmp_path / "repo", max_bytes=1024)
    assert not result.ok and "larger than" in result.issues[0].message


def test_validator_uses_the_document_check_for_a_real_knowledge_file(corpus, bundle, tmp_path):
    """The corpus chickadee leaf, pointed at the offline bundle, passes ilab mode with documents checked."""
    source = corpus / "taxonomy-2025" / "knowledge" / "science" / "animals" / "birds" / "black_capped_chickadee"
    leaf = tmp_path / "knowledge" / "science" / "animals" / "birds" / "black_capped_chickadee"
    leaf.mkdir(parents=True)
    data = yaml.safe_load((source / "qna.yaml").read_text(encoding="utf-8"))
    text = (source / "qna.yaml").read_text(encoding="utf-8").replace(data["document"]["repo"], bundle)
    (leaf / "qna.yaml").write_text(text, encoding="utf-8")
    (leaf / "attribution.txt").write_text((source / "attribution.txt").read_text(encoding="utf-8"))

    good = validate_file(leaf / "qna.yaml", taxonomy_root=tmp_path, mode="ilab", document_check=GitDocumentCheck())
    assert good.valid, good.errors

    (leaf / "qna.yaml").write_text(text.replace("chickadee.md", "no-such-file.md"), encoding="utf-8")
    bad = validate_file(leaf / "qna.yaml", taxonomy_root=tmp_path, mode="ilab", document_check=GitDocumentCheck())
    assert [issue.rule for issue in bad.errors] == ["R17-documents"]
    assert Path(bad.path).name == "qna.yaml"
