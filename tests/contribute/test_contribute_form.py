"""The contribution form: autosave, live messages (out-of-band), rows, the picker, download, upload, escaping."""

from __future__ import annotations

import re

import pytest
import yaml
from contribute_helpers import HTMX, KNOWLEDGE_PARENT, SKILL_PARENT, filled_skill_post, form_fields
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from taxonomy_app.contribute_forms import field_ids
from taxonomy_app.contribute_views import MAX_UPLOAD_BYTES
from taxonomy_app.contributions import contribution_check
from taxonomy_app.models import Contribution
from taxonomy_app.qna import ContributionData, to_qna_yaml

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def html(response) -> str:
    return response.content.decode()


def oob_container(text: str, container_id: str) -> str:
    """The inner HTML of the out-of-band element with that id in an htmx response."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(container_id)}"[^>]*hx-swap-oob="innerHTML"[^>]*>(.*?)</\1>',
                      text, re.DOTALL)
    assert match, f"no out-of-band {container_id} in the response"
    return match.group(2)


@pytest.fixture
def logged_in(client, owner):
    client.force_login(owner)
    return client


def test_autosave_persists_and_a_second_browser_sees_it(logged_in, owner, start_draft):
    draft = start_draft()
    response = logged_in.post(f"/contribute/{draft.pk}/autosave/", filled_skill_post(), headers=HTMX)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "Decline invitations politely" and draft.parent_path == SKILL_PARENT
    assert draft.dco_signed_off is True
    assert draft.data["seeds"][2]["pairs"][0]["question"] == "How do I say no to invitation number 3?"

    other_browser = Client()
    other_browser.force_login(owner)
    page = html(other_browser.get(f"/contribute/{draft.pk}/"))
    fields = form_fields(page)
    assert fields["title"] == "Decline invitations politely"
    assert fields["seed-3-pair-1-question"] == "How do I say no to invitation number 3?"
    assert fields["parent_path"] == SKILL_PARENT and fields["leaf_name"] == "polite_refusals"
    assert 'id="dco" name="dco" form="contribution-form" checked' in page
    # What the page posts back is what it shows: a round trip changes nothing.
    other_browser.post(f"/contribute/{draft.pk}/autosave/", {**fields, "dco": "on"}, headers=HTMX)
    assert Contribution.objects.get(pk=draft.pk).data == draft.data


def test_the_live_response_updates_messages_counters_summary_and_preview(logged_in, start_draft):
    draft = start_draft()
    post = filled_skill_post(questions=["Same question?", "Two?", "Three?", "Four?", "Same question?"])
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", post, headers=HTMX))
    assert "<html" not in text
    for n in (1, 5):
        assert "ask the same question" in oob_container(text, f"msg-seed-{n}-pair-1-question")
    assert oob_container(text, "msg-seed-2-pair-1-question") == ""
    assert oob_container(text, "count-seed-1-qna").count("/ 250 words") == 1
    summary = oob_container(text, "blockers")
    assert 'href="#seed-5-pair-1-question"' in summary and "Example 5: question" in summary
    preview = oob_container(text, "preview-body")
    assert "task_description: Write a short, friendly reply" in preview and "created_by: owner" in preview
    assert "License of the work: CC-BY-4.0" in preview
    assert "Saved" in oob_container(text, "save-status")
    assert "polite_refusals" in oob_container(text, "picker-chosen")
    # The inputs themselves are never part of the update: typing is not interrupted.
    assert 'name="seed-1-pair-1-question"' not in text and 'name="title"' not in text

    fixed = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", filled_skill_post(), headers=HTMX))
    assert oob_container(fixed, "msg-seed-5-pair-1-question") == ""
    assert "Nothing blocks submitting" in oob_container(fixed, "blockers")


def _every_issue_field(kind: str, data: ContributionData, draft: Contribution) -> set[str]:
    draft.data = data.to_dict()
    draft.save()
    return {issue.field_id for issue in contribution_check(contribution=draft) if issue.field_id}


@pytest.mark.parametrize("kind", ["freeform_skill", "grounded_skill", "knowledge"])
def test_every_issue_has_a_container_next_to_its_field(logged_in, start_draft, kind):
    draft = start_draft(kind)
    empty = ContributionData.empty(kind)
    crowded = ContributionData.empty(kind)
    for seed in crowded.seeds:
        seed.context = "word " * 800 if kind != "freeform_skill" else ""
        for pair in seed.pairs:
            pair.question, pair.answer = "Same?", "word " * 300
    crowded.attribution.license = "Proprietary"
    crowded.attribution.title = "x"
    if crowded.document:
        crowded.document.commit, crowded.document.patterns = "abc", ["notes.txt"]
    seen = set()
    for data in (empty, crowded):
        fields = _every_issue_field(kind, data, draft)
        page = html(logged_in.get(f"/contribute/{draft.pk}/"))
        live = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", {}, headers=HTMX))
        for field in fields:
            assert f'id="msg-{field}"' in page, field
            assert f'id="{field}"' in page, field  # the summary links to it
            assert f'id="msg-{field}" hx-swap-oob="innerHTML"' in live, field
        seen |= fields
    expected = {"title", "path", "leaf_name", "dco", "attribution-title", "attribution-license", "seed-1"}
    expected |= {"domain", "document_outline", "document-repo", "document-commit", "document-patterns",
                 "seed-1-context"} if kind == "knowledge" else {"task_description"}
    assert expected <= seen


@pytest.mark.parametrize("kind", ["freeform_skill", "knowledge"])
def test_every_field_of_the_form_has_a_message_container_in_the_page_and_the_update(logged_in, start_draft, kind):
    draft = start_draft(kind)
    page = html(logged_in.get(f"/contribute/{draft.pk}/"))
    live = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", {}, headers=HTMX))
    ids = field_ids(draft, ContributionData.from_dict(draft.data))
    required = {"path", "leaf_name", "title", "dco", "created_by", "seeds", "seed-5", "attribution-title",
                "attribution-link", "attribution-revision", "attribution-license", "attribution-creators"}
    required |= {"document-repo", "document-commit", "document-patterns", "seed-5-pair-3-answer"} \
        if kind == "knowledge" else {"task_description", "seed-5-pair-1-answer"}
    assert required <= set(ids)
    for fid in ids:
        assert page.count(f'id="msg-{fid}"') == 1, fid
        assert live.count(f'id="msg-{fid}" hx-swap-oob="innerHTML"') == 1, fid


def test_word_counters_are_live_and_show_the_limits(logged_in, start_draft):
    draft = start_draft("knowledge", parent_path=KNOWLEDGE_PARENT)
    post = {"seeds-count": "1", "seed-1-pairs": "3", "seed-1-context": "word " * 501,
            "seed-1-pair-1-question": "one two", "seed-1-pair-1-answer": "word " * 300}
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", post, headers=HTMX))
    assert 'class="wc over">501 / 500 words' in oob_container(text, "count-seed-1-context")
    assert "302 / 250 words in the questions and answers" in oob_container(text, "count-seed-1-qna")
    assert "803 / 750 words in this example altogether" in oob_container(text, "count-seed-1-total")
    assert "too long" in oob_container(text, "count-seed-1-total")


def test_rows_are_added_moved_and_removed_without_a_reload(logged_in, start_draft):
    draft = start_draft()
    post = filled_skill_post()
    url = f"/contribute/{draft.pk}/rows/"
    text = html(logged_in.post(url, {**post, "op": "add-seed"}, headers=HTMX))
    assert '<div id="seeds" class="seeds"' in text and "<html" not in text
    assert 'data-focus="seed-6-pair-1-question"' in text and 'id="seed-6"' in text
    assert 'hx-swap-oob="innerHTML"' in text and 'id="msg-title" hx-swap-oob' in text
    assert 'id="msg-seed-1-pair-1-question" hx-swap-oob' not in text  # inside the re-rendered section
    assert len(Contribution.objects.get(pk=draft.pk).data["seeds"]) == 6

    fields = form_fields(html(logged_in.get(f"/contribute/{draft.pk}/")))
    logged_in.post(url, {**fields, "op": "down-seed-1"}, headers=HTMX)
    seeds = Contribution.objects.get(pk=draft.pk).data["seeds"]
    assert [s["pairs"][0]["question"][-2:] for s in seeds[:3]] == ["2?", "1?", "3?"]
    fields = form_fields(html(logged_in.get(f"/contribute/{draft.pk}/")))
    logged_in.post(url, {**fields, "op": "remove-seed-6"}, headers=HTMX)
    assert len(Contribution.objects.get(pk=draft.pk).data["seeds"]) == 5

    fields = form_fields(html(logged_in.get(f"/contribute/{draft.pk}/")))
    stale = html(logged_in.post(url, {**fields, "op": "remove-seed-9", "title": "typed just before"},
                                headers=HTMX))
    assert "no example 9 any more" in oob_container(stale, "save-alert")
    assert len(Contribution.objects.get(pk=draft.pk).data["seeds"]) == 5
    assert Contribution.objects.get(pk=draft.pk).title == "typed just before"  # the text is not lost

    # Without JavaScript the same buttons post the form and come back to it.
    response = logged_in.post(url, {**fields, "op": "add-seed"})
    assert response.status_code == 302 and response.url == f"/contribute/{draft.pk}/#seeds"


def test_knowledge_rows_have_their_questions(logged_in, start_draft):
    draft = start_draft("knowledge", parent_path=KNOWLEDGE_PARENT)
    page = html(logged_in.get(f"/contribute/{draft.pk}/"))
    fields = form_fields(page)
    assert fields["seed-5-pairs"] == "3" and "seed-5-pair-3-answer" in fields and "document-repo" in fields
    assert f'hx-get="/contribute/{draft.pk}/documents/"' in page  # the documents panel loads in place
    text = html(logged_in.post(f"/contribute/{draft.pk}/rows/", {**fields, "op": "add-pair-2"}, headers=HTMX))
    assert 'data-focus="seed-2-pair-4-question"' in text and 'name="seed-2-pairs" value="4"' in text
    seeds = Contribution.objects.get(pk=draft.pk).data["seeds"]
    assert [len(s["pairs"]) for s in seeds] == [3, 4, 3, 3, 3]


def test_the_picker_shows_categories_of_the_right_root(logged_in, start_draft):
    skill = start_draft()
    text = html(logged_in.get(f"/contribute/{skill.pk}/picker/", {"path": "compositional_skills/linguistics"},
                              headers=HTMX))
    assert 'name="choose_parent" value="compositional_skills/linguistics/writing"' in text
    assert "Put it in compositional_skills/linguistics/proverbs" in text
    inside = html(logged_in.get(f"/contribute/{skill.pk}/picker/", {"path": "compositional_skills/linguistics/proverbs"},
                                headers=HTMX))
    assert "Topics already here:" in inside and "explaining_proverbs</a>" in inside
    assert "choose_parent" not in inside  # topics are shown, not offered as places
    assert logged_in.get(f"/contribute/{skill.pk}/picker/", {"path": "knowledge/science"}).status_code == 404
    assert logged_in.get(f"/contribute/{skill.pk}/picker/", {"path": "compositional_skills/../knowledge"}
                         ).status_code == 404

    found = html(logged_in.get(f"/contribute/{skill.pk}/picker/search/", {"picker_q": "writ"}, headers=HTMX))
    assert "Put it in compositional_skills/linguistics/writing" in found
    related = html(logged_in.get(f"/contribute/{skill.pk}/picker/search/", {"picker_q": "proverb"}, headers=HTMX))
    assert "compositional_skills/linguistics/proverbs" in related
    knowledge = start_draft("knowledge")
    found = html(logged_in.get(f"/contribute/{knowledge.pk}/picker/search/", {"picker_q": "gnomon"}, headers=HTMX))
    assert "Put it in knowledge/science/astronomy" in found and "compositional_skills" not in found

    chosen = html(logged_in.post(f"/contribute/{skill.pk}/autosave/",
                                 {"choose_parent": "compositional_skills/arts"}, headers=HTMX))
    assert 'value="compositional_skills/arts"' in oob_container(chosen, "picker-chosen")
    assert Contribution.objects.get(pk=skill.pk).parent_path == "compositional_skills/arts"


@pytest.mark.parametrize("name, message", [
    ("Polite Refusals", "lower-case letters"),
    ("../../../etc", "lower-case letters"),
    ("explaining_proverbs", "already exists"),
])
def test_the_new_topic_name_is_checked_live(logged_in, start_draft, name, message):
    draft = start_draft(parent_path="compositional_skills/linguistics/proverbs")
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", {"leaf_name": name}, headers=HTMX))
    assert message in oob_container(text, "msg-leaf_name")


def test_a_parent_outside_the_taxonomy_is_reported_escaped(logged_in, start_draft):
    draft = start_draft()
    text = html(logged_in.post(f"/contribute/{draft.pk}/autosave/",
                               {"parent_path": "compositional_skills/../knowledge<b>"}, headers=HTMX))
    assert "There is no category" in oob_container(text, "msg-path")
    assert "knowledge&lt;b&gt;" in text and "knowledge<b>" not in text


def test_download_is_the_qna_yaml_that_would_be_submitted(logged_in, start_draft):
    draft = start_draft()
    logged_in.post(f"/contribute/{draft.pk}/autosave/", filled_skill_post(), headers=HTMX)
    response = logged_in.get(f"/contribute/{draft.pk}/download/")
    assert response["Content-Disposition"] == 'attachment; filename="qna.yaml"'
    assert response["Content-Type"].startswith("application/yaml")
    data = ContributionData.from_dict(Contribution.objects.get(pk=draft.pk).data)
    data.created_by = "owner"
    assert response.content.decode() == to_qna_yaml(data)
    assert yaml.safe_load(response.content)["seed_examples"][0]["question"].startswith("How do I say no")


VALID_SKILL = """\
version: 3
created_by: someone
task_description: Answer a question about greetings.
seed_examples:
""" + "".join(f"  - question: Greeting question {n}?\n    answer: Greeting answer {n}.\n" for n in range(1, 6))

BROKEN_SKILL = """\
version: 3
created_by: someone
task_description: Greet people.
seed_examples:
  - question: How do I greet a neighbour?
    answer: Say good morning.
  - question: How do I greet a colleague?
    answer: 3
    colour: blue
"""


def test_upload_a_valid_file_then_confirm(logged_in, start_draft):
    draft = start_draft(parent_path=SKILL_PARENT)
    logged_in.post(f"/contribute/{draft.pk}/autosave/", {"title": "Kept title", "attribution-title": "Kept work"},
                   headers=HTMX)
    upload = SimpleUploadedFile("qna.yaml", VALID_SKILL.encode(), content_type="application/yaml")
    step1 = html(logged_in.post(f"/contribute/{draft.pk}/upload/", {"file": upload}))
    assert "A <strong>skill</strong> contribution with <strong>5 examples</strong>" in step1
    assert "No problems found in the file." in step1
    assert Contribution.objects.get(pk=draft.pk).data["task_description"] == ""  # nothing changed yet
    response = logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": VALID_SKILL, "confirm": "1"})
    assert response.status_code == 302 and response.url == f"/contribute/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.data["task_description"] == "Answer a question about greetings."
    assert len(draft.data["seeds"]) == 5 and draft.title == "Kept title"
    assert draft.data["attribution"]["title"] == "Kept work"
    assert "Read 5 examples from the file" in html(logged_in.get(response.url))


def test_upload_with_errors_shows_lines_and_columns_and_keeps_what_was_read(logged_in, start_draft):
    draft = start_draft()
    step1 = html(logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": BROKEN_SKILL}))
    assert "2 examples" in step1
    assert re.search(r"line 8, column 13</span> The answer of (seed )?example 2 must be text", step1)
    assert re.search(r"line 9, column 5</span> [^<]*colour", step1)
    assert "line 4, column 1</span> This file needs at least 5 seed examples" in step1
    logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": BROKEN_SKILL, "confirm": "1"})
    seeds = Contribution.objects.get(pk=draft.pk).data["seeds"]
    assert [s["pairs"][0] for s in seeds] == [
        {"question": "How do I greet a neighbour?", "answer": "Say good morning."},
        {"question": "How do I greet a colleague?", "answer": "3"},
    ]

    syntax = html(logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": "version: 3\nseed_examples: [\n"}))
    assert "Nothing could be read" in syntax and "line 3, column 1" in syntax
    assert 'name="confirm"' not in syntax  # an unreadable file cannot replace the form
    assert "seed_examples: [" in syntax  # the text comes back to be fixed in place


def test_upload_of_latin1_bytes_is_explained_and_changes_nothing(logged_in, start_draft):
    draft = start_draft()
    before = Contribution.objects.get(pk=draft.pk).data
    latin1 = "version: 3\ntask_description: Caf\xe9 greetings\n".encode("latin-1")
    text = html(logged_in.post(f"/contribute/{draft.pk}/upload/",
                               {"file": SimpleUploadedFile("qna.yaml", latin1), "confirm": "1"}))
    assert "not valid UTF-8" in text and "line 2, column 22" in text and "Latin-1" in text
    assert Contribution.objects.get(pk=draft.pk).data == before


def test_oversized_uploads_are_refused_with_a_message(logged_in, start_draft):
    draft = start_draft()
    big = b"# " + b"x" * MAX_UPLOAD_BYTES
    response = logged_in.post(f"/contribute/{draft.pk}/upload/", {"file": SimpleUploadedFile("qna.yaml", big)})
    assert response.status_code == 200
    assert "can be at most 1024 KiB" in html(response)
    response = logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": big.decode()})
    assert response.status_code == 200 and "The pasted text is 1.0 MiB" in html(response)
    assert "Choose a qna.yaml file or paste its text." in html(logged_in.post(f"/contribute/{draft.pk}/upload/",
                                                                           {"text": "  "}))


def test_a_file_of_another_kind_opens_a_new_draft(logged_in, owner, start_draft):
    draft = start_draft()
    knowledge = (
        "version: 3\ncreated_by: x\ndomain: astronomy\ndocument_outline: Sundials.\nseed_examples:\n"
        "  - context: A gnomon casts the shadow.\n    questions_and_answers:\n"
        "      - question: What casts the shadow?\n        answer: The gnomon.\n"
        "document:\n  repo: https://example.test/docs\n  commit: " + "a" * 40 + "\n  patterns:\n    - sundials.md\n")
    step1 = html(logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": knowledge}))
    assert "Open it as a new draft" in step1
    response = logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": knowledge, "confirm": "1"})
    created = Contribution.objects.exclude(pk=draft.pk).get(owner=owner)
    assert created.kind == "knowledge" and response.url == f"/contribute/{created.pk}/"
    assert created.data["document"]["patterns"] == ["sundials.md"]
    assert Contribution.objects.get(pk=draft.pk).data == ContributionData.empty("freeform_skill").to_dict()


def test_html_in_every_field_is_stored_and_shown_escaped(logged_in, owner, start_draft):
    draft = start_draft("grounded_skill", parent_path="compositional_skills/grounded/technology")
    post = {"title": XSS, "description": XSS, "leaf_name": XSS, "task_description": XSS, "seeds-count": "5",
            "dco-shown": "1", **{f"attribution-{n}": XSS for n in ("title", "link", "revision", "license",
                                                                    "creators")}}
    for n in range(1, 6):
        post.update({f"seed-{n}-context": f"{XSS} {n}", f"seed-{n}-pair-1-question": f"{XSS} {n}",
                     f"seed-{n}-pair-1-answer": f"{XSS} {n}"})
    live = html(logged_in.post(f"/contribute/{draft.pk}/autosave/", post, headers=HTMX))
    draft.refresh_from_db()
    assert draft.description == XSS and draft.data["seeds"][0]["context"] == f"{XSS} 1"  # stored as typed
    pages = [live, html(logged_in.get(f"/contribute/{draft.pk}/")), html(logged_in.get("/my/")),
             html(logged_in.get("/contribute/")),
             html(logged_in.post(f"/contribute/{draft.pk}/upload/", {"text": f"task_description: {XSS}\n"})),
             html(logged_in.get(f"/contribute/{draft.pk}/delete/"))]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert ESCAPED in pages[1] and pages[1].count(ESCAPED) >= 15
    assert form_fields(pages[1])["seed-2-pair-1-question"] == f"{XSS} 2"  # the browser gets back what was typed
