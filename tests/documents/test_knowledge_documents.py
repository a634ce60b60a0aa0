"""Knowledge documents: uploads committed to the documents repository, and the background source check."""

import pytest
from django.core.exceptions import PermissionDenied

from taxonomy_app.contributions import contribution_start, contribution_update
from taxonomy_app.knowledge_documents import (
    DocumentRejected,
    document_check_request,
    document_text,
    document_upload,
)
from taxonomy_app.qna import ContributionData, DocumentRef
from taxonomy_app.repositories import documents_repository_url, get_documents_repository

SUMMIT_COMMIT = "5f7158a5ce83c4ff493bfe341fe31ecad64ff697"


@pytest.fixture
def knowledge(sample_taxonomy, make_user):
    owner = make_user("contributor")
    return contribution_start(owner=owner, kind="knowledge", parent_path="knowledge/science"), owner


def test_upload_commits_the_document_and_fills_the_document_block(knowledge):
    contribution, owner = knowledge
    ref = document_upload(contribution=contribution, actor=owner, filename="Tide Pools.md",
                          content=b"# Tide pools\n\nA tide pool is a rocky pool by the sea.\n")
    path = f"contributions/{contribution.pk}/tide-pools.md"
    assert ref.repo == documents_repository_url()
    assert len(ref.commit) == 40 and ref.patterns == [path]
    repo = get_documents_repository()
    assert repo.read_blob(ref.commit, path).startswith(b"# Tide pools")
    assert repo.commit_info(ref.commit).author_name == owner.username
    contribution.refresh_from_db()
    assert ContributionData.from_dict(contribution.data).document == ref
    assert contribution.document_check["status"] == "ok"
    assert "rocky pool" in document_text(contribution=contribution, path=path)


def test_second_upload_keeps_the_first_and_pins_one_commit(knowledge):
    contribution, owner = knowledge
    document_upload(contribution=contribution, actor=owner, filename="a.md", content=b"# A\n")
    ref = document_upload(contribution=contribution, actor=owner, filename="notes.txt", content=b"plain\r\ntext\n")
    assert [p.rsplit("/", 1)[1] for p in ref.patterns] == ["a.md", "notes.md"]
    repo = get_documents_repository()
    assert all(repo.exists(ref.commit, p) for p in ref.patterns)
    assert repo.read_blob(ref.commit, ref.patterns[1]) == b"plain\ntext\n"


@pytest.mark.parametrize("filename, content, message", [
    ("report.pdf", b"%PDF-1.4", "not a Markdown (.md) or plain-text"),
    ("tool.exe", b"MZ", "not a Markdown (.md) or plain-text"),
    ("latin.md", "caf\u00e9\n".encode("latin-1"), "not UTF-8 text (first unreadable byte on line 1)"),
    ("empty.md", b"  \n", "The document is empty."),
    ("nul.md", b"abc\x00def", "binary data"),
    ("big.md", b"x" * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
], ids=["pdf", "exe", "latin-1", "empty", "nul", "oversized"])
def test_bad_uploads_are_refused_and_nothing_is_written(knowledge, filename, content, message):
    contribution, owner = knowledge
    before = get_documents_repository().resolve("main")
    with pytest.raises(DocumentRejected, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        document_upload(contribution=contribution, actor=owner, filename=filename, content=content)
    assert get_documents_repository().resolve("main") == before
    contribution.refresh_from_db()
    assert ContributionData.from_dict(contribution.data).document.patterns == []


def test_path_traversal_in_the_file_name_stays_inside_the_contribution_folder(knowledge):
    contribution, owner = knowledge
    ref = document_upload(contribution=contribution, actor=owner, filename="../../../etc/passwd.md", content=b"x\n")
    assert ref.patterns == [f"contributions/{contribution.pk}/passwd.md"]


def test_only_the_owner_of_a_knowledge_contribution_may_upload(knowledge, make_user, sample_taxonomy):
    contribution, owner = knowledge
    with pytest.raises(PermissionDenied):
        document_upload(contribution=contribution, actor=make_user("contributor", "someone-else"),
                        filename="a.md", content=b"# A\n")
    skill = contribution_start(owner=owner, kind="freeform_skill")
    with pytest.raises(DocumentRejected, match="Only knowledge contributions"):
        document_upload(contribution=skill, actor=owner, filename="a.md", content=b"# A\n")


def test_document_text_refuses_files_of_other_contributions(knowledge):
    contribution, _ = knowledge
    with pytest.raises(DocumentRejected):
        document_text(contribution=contribution, path="astronomy/sundials.md")


def _name_source(contribution, owner, repo, commit, patterns):
    data = ContributionData.from_dict(contribution.data)
    data.document = DocumentRef(repo=repo, commit=commit, patterns=patterns)
    contribution_update(contribution=contribution, actor=owner, data=data)


@pytest.fixture
def bundle(corpus):
    return str(corpus / "knowledge-docs" / "Summit_knowledge.bundle")


@pytest.mark.django_db(transaction=True)
def test_background_check_of_a_named_repository_reports_what_it_found(knowledge, bundle, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from labweb.celery import app

    app.conf.task_always_eager = True
    try:
        contribution, owner = knowledge
        _name_source(contribution, owner, bundle, SUMMIT_COMMIT, ["chickadee.md", "*.MD"])
        document_check_request(contribution=contribution, actor=owner)
        contribution.refresh_from_db()
        assert contribution.document_check["status"] == "ok"
        assert contribution.document_check["files"] == ["chickadee.md"]

        _name_source(contribution, owner, bundle, SUMMIT_COMMIT, ["missing/*.md"])
        document_check_request(contribution=contribution, actor=owner)
        contribution.refresh_from_db()
        assert contribution.document_check["status"] == "failed"
        assert "None of the patterns matched" in contribution.document_check["issues"][0]["message"]
    finally:
        app.conf.task_always_eager = False


def test_a_check_needs_a_complete_source_and_an_allowed_address(knowledge, settings):
    contribution, owner = knowledge
    with pytest.raises(DocumentRejected, match="Fill in the repository address"):
        document_check_request(contribution=contribution, actor=owner)
    settings.DOCUMENTS_ALLOW_LOCAL_SOURCES = False
    _name_source(contribution, owner, "/etc", "a" * 40, ["*.md"])
    with pytest.raises(DocumentRejected, match="must start with https://"):
        document_check_request(contribution=contribution, actor=owner)
    _name_source(contribution, owner, "--upload-pack=touch /tmp/x", "a" * 40, ["*.md"])
    with pytest.raises(DocumentRejected):
        document_check_request(contribution=contribution, actor=owner)
