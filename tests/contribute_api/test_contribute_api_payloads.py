"""Creating, autosaving and validating through the API; every bad payload is a 400 that says what is wrong."""

from __future__ import annotations

import json

import pytest
from contribute_api_payloads import PARENT, create, skill_payload

from taxonomy_app.contribute_api import MAX_BODY_BYTES
from taxonomy_app.models import Contribution


@pytest.fixture
def api(owner_api, repos):
    """The owner's client, on empty repositories: add sample_taxonomy where the tree matters."""
    return owner_api[0]


def test_create_stores_everything_given(api, owner_api):
    response = api.post("/api/contributions/", skill_payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("kind", "status", "title", "parent_path", "leaf_name", "leaf_path",
                                       "dco_signed_off", "submission")} == {
        "kind": "freeform_skill", "status": "draft", "title": "Plain English rewrites", "parent_path": PARENT,
        "leaf_name": "plain_english", "leaf_path": f"{PARENT}/plain_english", "dco_signed_off": True,
        "submission": None}
    assert body["data"]["kind"] == "freeform_skill"
    assert body["data"]["seeds"][4]["pairs"] == [{"question": "How would you say sentence 5 in plain words?",
                                                  "answer": "Here is sentence 5, said plainly."}]
    stored = Contribution.objects.get(pk=body["id"])
    assert stored.owner == owner_api[1] and stored.data["attribution"]["license"] == "CC-BY-4.0"


def test_an_empty_draft_gets_the_forms_empty_rows(api):
    body = api.post("/api/contributions/", {"kind": "knowledge"}, format="json").json()
    assert len(body["data"]["seeds"]) == 5 and all(len(seed["pairs"]) == 3 for seed in body["data"]["seeds"])
    assert body["data"]["document"] == {"repo": "", "commit": "", "patterns": []}


def test_edit_an_existing_topic(api, sample_taxonomy):
    leaf = "compositional_skills/linguistics/proverbs/explaining_proverbs"
    body = api.post("/api/contributions/", {"edits_path": leaf}, format="json").json()
    assert (body["kind"], body["edits_path"], body["leaf_path"]) == ("freeform_skill", leaf, leaf)
    assert len(body["data"]["seeds"]) == 6


def test_patch_is_an_autosave_that_keeps_what_is_not_sent(api):
    url = create(api, skill_payload())
    response = api.patch(url, {"title": "  Plain   words ", "data": {"task_description": "Say it plainly."}},
                         format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Plain words"
    assert body["data"]["task_description"] == "Say it plainly."
    assert len(body["data"]["seeds"]) == 5 and body["data"]["attribution"]["creators"] == "Casey Contributor"
    # a round trip of what GET returns is accepted as is (kind and created_by included)
    again = api.patch(url, {"data": api.get(url).json()["data"]}, format="json")
    assert again.status_code == 200 and again.json()["data"] == body["data"]
    # half-filled content is stored: autosave never judges
    half = api.patch(url, {"data": {"seeds": [{"pairs": [{"question": "Only a question?"}]}]}}, format="json")
    assert half.json()["data"]["seeds"] == [{"context": "", "pairs": [{"question": "Only a question?",
                                                                        "answer": ""}]}]


def test_validate_lists_issues_by_field_and_shows_the_files(api, sample_taxonomy):
    url = create(api, {"kind": "freeform_skill"})
    body = api.post(url + "validate/").json()
    assert body["valid"] is False
    assert {issue["field"] for issue in body["issues"]} >= {"path", "leaf_name", "title", "dco"}
    assert all(set(issue) == {"field", "message", "rule", "severity"} for issue in body["issues"])
    assert {"error"} == {issue["severity"] for issue in body["issues"] if issue["field"] == "title"}
    assert body["qna_yaml"].startswith("version: 3\n")

    api.patch(url, {key: value for key, value in skill_payload().items() if key != "kind"}, format="json")
    body = api.post(url + "validate/").json()
    assert body["valid"] is True and not [i for i in body["issues"] if i["severity"] == "error"]
    assert "created_by: casey\n" in body["qna_yaml"]
    assert "How would you say sentence 1 in plain words?" in body["qna_yaml"]
    assert "License of the work: CC-BY-4.0" in body["attribution"]
    assert Contribution.objects.get().status == "draft"  # validating writes nothing


def test_validate_points_at_the_seed_field(api, sample_taxonomy):
    payload = skill_payload()
    payload["data"]["seeds"][2]["pairs"][0]["answer"] = ""
    url = create(api, payload)
    issues = api.post(url + "validate/").json()["issues"]
    assert "seed-3-pair-1-answer" in {issue["field"] for issue in issues}


BAD = [
    ({"kind": "poem"},
     {"kind": ['Unknown kind "poem"; choose one of freeform_skill, grounded_skill, knowledge.']}),
    ({}, {"kind": ["Choose a kind: freeform_skill, grounded_skill, knowledge."]}),
    ({"kind": "knowledge", "title": 5}, {"title": ["Must be a string, not a number."]}),
    ({"kind": "knowledge", "title": None}, {"title": ["This field may not be null."]}),
    ({"kind": "knowledge", "dco_signed_off": "yes"},
     {"dco_signed_off": ["Must be true or false, not a string."]}),
    ({"kind": "knowledge", "title": "x" * 201},
     {"title": ["Ensure this field has no more than 200 characters."]}),
    ({"kind": "knowledge", "titel": "typo"}, {"titel": [
        "Unknown field; the fields here are: title, description, parent_path, leaf_name, data, "
        "dco_signed_off, kind, edits_path."]}),
    ({"kind": "knowledge", "data": "junk"}, {"data": {"non_field_errors": [
        "Invalid data. Expected a dictionary, but got str."]}}),
    ({"kind": "knowledge", "data": {"seeds": "junk"}}, {"data": {"seeds": [
        'Expected a list of items but got type "str".']}}),
    ({"kind": "knowledge", "data": {"seeds": [{"pairs": [{"question": ["a"]}]}]}},
     {"data": {"seeds": {"0": {"pairs": {"0": {"question": ["Must be a string, not a list."]}}}}}}),
    ({"kind": "knowledge", "data": {"seed_examples": []}}, {"data": {"seed_examples": [
        "Unknown field; the fields here are: kind, created_by, task_description, domain, document_outline, "
        "seeds, document, attribution."]}}),
    ({"kind": "knowledge", "data": {"document": {"patterns": "a.md"}}}, {"data": {"document": {"patterns": [
        'Expected a list of items but got type "str".']}}}),
    ({"kind": "knowledge", "data": {"seeds": [{}] * 201}}, {"data": {"seeds": [
        "Ensure this field has no more than 200 elements."]}}),
    ({"kind": "freeform_skill", "data": {"kind": "knowledge"}}, {"detail": (
        "data.kind is 'knowledge' but this contribution is 'freeform_skill'; a contribution's kind cannot "
        "change: start a new one.")}),
    ({"kind": "knowledge", "title": "a\ud800"}, {"title": ["Surrogate characters are not allowed: U+D800."]}),
    ({"edits_path": "knowledge/nope"}, {"detail": "There is no topic at 'knowledge/nope' to edit."}),
]


@pytest.mark.parametrize(("payload", "errors"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_payloads_are_refused_with_a_clear_message(api, payload, errors):
    # json.dumps escapes non-ASCII, so a lone surrogate travels as the client sent it: "\ud800"
    response = api.post("/api/contributions/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not Contribution.objects.exists()  # a refused create leaves no draft, whatever refused it


def test_bad_patches_change_nothing(api):
    url = create(api, skill_payload())
    for payload in ({"kind": "knowledge"}, {"data": []}, {"leaf_name": 3}, {"data": {"kind": "knowledge"}}):
        assert api.patch(url, payload, format="json").status_code == 400
    assert api.put(url, skill_payload(), format="json").status_code == 405
    first_pair = api.get(url).json()["data"]["seeds"][0]["pairs"][0]
    assert first_pair["answer"] == "Here is sentence 1, said plainly."


def test_bodies_over_the_limit_and_broken_json_are_refused(api):
    huge = json.dumps({"kind": "knowledge", "description": "x" * (2 * 1024 * 1024)})
    response = api.post("/api/contributions/", huge, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB."}

    broken = api.post("/api/contributions/", '{"kind": "knowledge",', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"].startswith("JSON parse error")
    assert api.post("/api/contributions/", "[1, 2]", content_type="application/json").status_code == 400
    form = api.post("/api/contributions/", "kind=knowledge", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert Contribution.objects.count() == 0


def test_markup_is_stored_as_typed(api):
    script = "<script>alert('x')</script> **bold** {{ 7*7 }}"
    body = api.post("/api/contributions/", {"kind": "knowledge", "title": script, "description": script},
                    format="json").json()
    assert body["title"] == script and body["description"] == script


def test_a_submitted_contribution_cannot_be_deleted(api, sample_taxonomy):
    url = create(api, skill_payload())
    assert api.post(url + "submit/").status_code == 201
    response = api.delete(url)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "A submitted contribution cannot be deleted; it can be closed instead."}
