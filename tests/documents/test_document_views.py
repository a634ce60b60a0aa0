"""The document panel endpoints of a knowledge contribution, for every kind of visitor."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taxonomy_app.contributions import contribution_start


@pytest.fixture
def draft(sample_taxonomy, make_user):
    owner = make_user("contributor", "owner")
    return contribution_start(owner=owner, kind="knowledge", parent_path="knowledge/science"), owner


def _urls(pk):
    base = f"/contribute/{pk}/documents/"
    return {"panel": base, "upload": base + "upload", "check": base + "check", "text": base + "text?path=x.md"}


@pytest.mark.parametrize("role", ["anonymous", "contributor", "triager", "admin"])
def test_only_the_owner_reaches_the_panel(client, make_user, draft, role):
    contribution, _ = draft
    if role != "anonymous":
        client.force_login(make_user(role, f"other-{role}"))
    urls = _urls(contribution.pk)
    responses = [client.get(urls["panel"]), client.post(urls["upload"]), client.post(urls["check"]),
                 client.get(urls["text"])]
    if role == "anonymous":
        assert all(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in responses)
    else:
        assert [r.status_code for r in responses] == [403, 403, 403, 403]


def test_owner_uploads_a_document_and_opens_it_to_pick_excerpts(client, draft):
    contribution, owner = draft
    client.force_login(owner)
    urls = _urls(contribution.pk)
    panel = client.get(urls["panel"]).content.decode()
    assert "Upload a document" in panel and 'hx-encoding="multipart/form-data"' in panel

    upload = client.post(urls["upload"], {"document": SimpleUploadedFile(
        "Tides.md", b"# Tides\n\n<script>alert(1)</script> The sea rises twice a day.\n", "text/markdown")})
    html = upload.content.decode()
    assert upload.status_code == 200
    path = f"contributions/{contribution.pk}/tides.md"
    assert f"<code>{path}</code>" in html and "Open to pick excerpts" in html

    reader = client.get(f"/contribute/{contribution.pk}/documents/text?path={path}").content.decode()
    assert "The sea rises twice a day." in reader
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reader and "<script>alert" not in reader
    assert '<option value="5">excerpt 5</option>' in reader


def test_bad_upload_shows_the_reason_and_keeps_the_panel(client, draft):
    contribution, owner = draft
    client.force_login(owner)
    response = client.post(_urls(contribution.pk)["upload"],
                           {"document": SimpleUploadedFile("slides.pptx", b"PK\x03\x04", "application/zip")})
    assert response.status_code == 400
    assert "is not a Markdown (.md) or plain-text (.txt) file" in response.content.decode()
    missing = client.post(_urls(contribution.pk)["upload"])
    assert missing.status_code == 400 and "Choose a file to upload first." in missing.content.decode()


def test_check_without_a_source_explains_what_is_missing(client, draft):
    contribution, owner = draft
    client.force_login(owner)
    response = client.post(_urls(contribution.pk)["check"])
    assert response.status_code == 400
    assert "Fill in the repository address, the commit and at least one file pattern first." in (
        response.content.decode())


def test_skill_contributions_have_no_document_panel(client, sample_taxonomy, make_user):
    owner = make_user("contributor", "skill-owner")
    skill = contribution_start(owner=owner, kind="freeform_skill")
    client.force_login(owner)
    assert client.get(_urls(skill.pk)["panel"]).status_code == 404
