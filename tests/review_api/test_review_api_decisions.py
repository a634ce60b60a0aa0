"""Every decision through the API, and merges on a real repository: fast-forward, conflict, stale approval."""

from __future__ import annotations

from labweb.models import AuditEvent
from taxonomy_app.contributions import contribution_submit, contribution_update
from taxonomy_app.models import Approval, Comment, Submission, TaxonomyNode

from review_support import PARENT


def test_the_whole_review_through_the_api_ending_in_a_fast_forward(api, people, submit, sample_taxonomy,
                                                                    settings):
    from review_support import skill_data

    draft, submission = submit(people["author"])
    url = f"/api/reviews/{submission.pk}/"
    triager, author, maintainer = api("triager"), api("author"), api("maintainer")

    assert triager.post(url + "assign/", {"username": "tri"}, format="json").json()["assignee"]["username"] == "tri"
    assert triager.get("/api/reviews/?assignee=me").json()["count"] == 1
    seed = triager.post(url + "comments/", {"body": "Seed 2 reads **oddly**.", "anchor": "seed-2"}, format="json")
    assert seed.status_code == 201
    assert seed.json() | {"body_html": None, "created_at": None} == {
        "id": seed.json()["id"], "parent": None, "revision": 1, "anchor": "seed-2",
        "author": {"id": people["triager"].pk, "username": "tri", "name": "tri"}, "body": "Seed 2 reads **oddly**.",
        "body_html": None, "resolved": False, "resolved_by": None, "resolved_at": None, "created_at": None}
    assert "<strong>oddly</strong>" in seed.json()["body_html"]
    reply = author.post(url + "comments/", {"body": "Fixed.", "parent": seed.json()["id"]}, format="json").json()
    assert (reply["parent"], reply["revision"], reply["anchor"]) == (seed.json()["id"], 1, "seed-2")

    changed = triager.post(url + "request-changes/", {"message": "Please reword seed 2."}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["triage_state"]) == ("changes_requested", "requested_changes")
    assert changed.json()["comments"][-1]["body"] == "Please reword seed 2."

    contribution_update(contribution=draft, actor=people["author"], data=skill_data(" (revised)"))
    contribution_submit(contribution=draft, actor=people["author"])
    resolved = author.post(f"/api/reviews/comments/{seed.json()['id']}/resolve/", {"resolved": True}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_by"]["username"] == "casey"

    approved = triager.post(url + "approve/", format="json").json()
    assert (approved["status"], approved["latest_revision"]["number"]) == ("approved", 2)
    assert [(a["revision"], a["approver"]["username"], a["current"]) for a in approved["approvals"]] == [
        (2, "tri", True)]
    assert "seed_examples" in approved["latest_revision"]["qna_yaml"]
    assert [r["number"] for r in approved["revisions"]] == [1, 2]
    assert triager.post(url + "merge/", format="json").status_code == 403

    main_before = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    merged = maintainer.post(url + "merge/", {"strategy": "fast-forward-only"}, format="json")
    assert merged.status_code == 200, merged.json()
    head = Submission.objects.get(pk=submission.pk).head_commit
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)
    assert main == head and sample_taxonomy.is_ancestor(main_before, main)
    assert (merged.json()["status"], merged.json()["merged_commit"]) == ("merged", main)
    assert TaxonomyNode.objects.filter(path=f"{PARENT}/plain_english", kind="leaf").exists()
    assert AuditEvent.objects.get(verb="submission.merged").data["how"] == "fast-forward"

    again = maintainer.post(url + "merge/", format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert "already merged" in again.json()["detail"]


def test_a_conflict_is_409_naming_the_file_and_main_is_untouched(api, people, submit, sample_taxonomy, settings):
    first = submit(people["author"])[1]
    second = submit(people["other"], tag=" (other)")[1]
    triager, maintainer = api("triager"), api("maintainer")
    for submission in (first, second):
        assert triager.post(f"/api/reviews/{submission.pk}/approve/", format="json").status_code == 200
    assert maintainer.post(f"/api/reviews/{first.pk}/merge/", format="json").status_code == 200
    main = sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH)

    response = maintainer.post(f"/api/reviews/{second.pk}/merge/", format="json")

    assert response.status_code == 409
    leaf = f"{PARENT}/plain_english"
    body = response.json()
    assert body["code"] == "merge_conflict"
    assert body["paths"] == [f"{leaf}/attribution.txt", f"{leaf}/qna.yaml"]
    assert f"{leaf}/qna.yaml" in body["detail"] and "Nothing was merged" in body["detail"]
    assert sample_taxonomy.resolve(settings.TAXONOMY_MAIN_BRANCH) == main
    assert Submission.objects.get(pk=second.pk).status == "approved"


def test_a_stale_approval_blocks_the_merge_with_reasons(api, people, row, repos):
    submission = row(revisions=2, status="approved", labels=["legal-hold"])
    Approval.objects.create(submission=submission, revision=submission.revisions.get(number=1),
                            approver=people["triager"])
    detail = api("maintainer").get(f"/api/reviews/{submission.pk}/").json()
    assert [a["current"] for a in detail["approvals"]] == [False]

    response = api("maintainer").post(f"/api/reviews/{submission.pk}/merge/", format="json")

    assert response.status_code == 409 and response.json()["code"] == "merge_blocked"
    reasons = response.json()["reasons"]
    assert "It is labelled legal-hold." in reasons
    assert any("latest revision (2)" in reason for reason in reasons)


def test_triage_states_labels_and_assignment(api, people, row):
    submission = row()
    url = f"/api/reviews/{submission.pk}/"
    client = api("triager")

    for state in ("uncertain", "follow_up", "needed"):
        response = client.post(url + "triage/", {"state": state, "note": "Looking."}, format="json")
        assert response.status_code == 200 and response.json()["triage_state"] == state
    same = client.post(url + "triage/", {"state": "needed"}, format="json")
    assert same.status_code == 409 and same.json() == {"detail": f"Submission #{submission.pk} is already marked "
                                                                 "triage needed.", "code": "invalid_transition"}

    labelled = client.post(url + "labels/", {"add": ["legal-hold", "question"]}, format="json").json()
    assert labelled["labels"] == ["legal-hold", "question"]
    assert client.post(url + "labels/", {"remove": ["question"]}, format="json").json()["labels"] == ["legal-hold"]
    assert client.post(url + "labels/", {"add": ["legal-hold"]}, format="json").status_code == 409

    assigned = client.post(url + "assign/", {"username": "maint"}, format="json").json()
    assert assigned["assignee"] == {"id": people["maintainer"].pk, "username": "maint", "name": "maint"}
    assert client.post(url + "assign/", {"username": None}, format="json").json()["assignee"] is None
    refused = client.post(url + "assign/", {"username": "dana"}, format="json")
    assert refused.status_code == 400 and refused.json()["detail"] == (
        "dana cannot triage, so the submission cannot be assigned to them.")
    nobody = client.post(url + "assign/", {"username": "ghost"}, format="json")
    assert nobody.status_code == 400 and nobody.json()["detail"] == "There is no user 'ghost'."


def test_triage_decisions_go_through_their_services(api, row):
    client = api("triager")
    approved = client.post(f"/api/reviews/{row().pk}/triage/", {"state": "approved"}, format="json").json()
    assert (approved["status"], len(approved["approvals"])) == ("approved", 1)
    rejected = client.post(f"/api/reviews/{row().pk}/triage/", {"state": "rejected", "note": "Off topic."},
                           format="json").json()
    assert (rejected["status"], rejected["triage_state"]) == ("closed", "rejected")
    needs_note = client.post(f"/api/reviews/{row().pk}/triage/", {"state": "requested_changes"}, format="json")
    assert needs_note.status_code == 400 and needs_note.json()["detail"].startswith("Say why")


def test_close_reopen_and_second_approvals(api, people, row):
    submission = row()
    url = f"/api/reviews/{submission.pk}/"
    assert api("triager").post(url + "approve/", format="json").status_code == 200
    assert api("admin").post(url + "approve/", format="json").json()["approvals"][1]["approver"]["username"] == "boss"
    twice = api("triager").post(url + "approve/", format="json")
    assert twice.status_code == 409 and twice.json()["detail"] == "You already approved revision 1."

    withdrawn = api("author").post(url + "close/", format="json").json()
    assert (withdrawn["status"], withdrawn["triage_state"]) == ("closed", "approved")
    assert api("author").post(url + "close/", format="json").status_code == 409
    reopened = api("author").post(url + "reopen/", format="json").json()
    assert (reopened["status"], reopened["triage_state"]) == ("open", "needed")
    assert api("author").post(url + "reopen/", format="json").json()["code"] == "invalid_transition"

    closed = api("triager").post(url + "close/", {"reason": "Duplicate of #1."}, format="json").json()
    assert closed["comments"][-1]["body"] == "Duplicate of #1." and closed["triage_state"] == "rejected"


def test_comments_threads_and_resolution(api, people, row):
    submission = row(revisions=2)
    url = f"/api/reviews/{submission.pk}/comments/"
    triager, author = api("triager"), api("author")
    on_first = triager.post(url, {"body": "On r1 pair.", "revision": 1, "anchor": "seed-3-pair-1"},
                            format="json").json()
    assert (on_first["revision"], on_first["anchor"]) == (1, "seed-3-pair-1")
    general = author.post(url, {"body": "A question."}, format="json").json()
    assert (general["revision"], general["anchor"]) == (None, "")
    reply = author.post(url, {"body": "Reply.", "parent": on_first["id"]}, format="json").json()
    reply_to_reply = triager.post(url, {"body": "Again.", "parent": reply["id"]}, format="json").json()
    assert reply_to_reply["parent"] == on_first["id"]  # threads are one level deep

    listed = author.get(url).json()
    assert [c["id"] for c in listed] == [on_first["id"], general["id"], reply["id"], reply_to_reply["id"]]

    resolve = f"/api/reviews/comments/{on_first['id']}/resolve/"
    assert triager.post(resolve, {"resolved": True}, format="json").json()["resolved"] is True
    assert triager.post(resolve, {"resolved": True}, format="json").json() == {
        "detail": "The comment is already resolved.", "code": "invalid_transition"}
    assert author.post(resolve, {"resolved": False}, format="json").json()["resolved"] is False
    on_reply = triager.post(f"/api/reviews/comments/{reply['id']}/resolve/", {"resolved": True}, format="json")
    assert on_reply.status_code == 409 and "resolve the first comment" in on_reply.json()["detail"]
    assert Comment.objects.filter(submission=submission).count() == 4


def test_nothing_can_be_decided_on_a_merged_submission(api, row):
    submission = row(status="merged")
    for action, payload in (("approve", None), ("request-changes", {"message": "x"}), ("close", {"reason": "x"}),
                            ("triage", {"state": "uncertain"}), ("assign", {"username": "tri"}),
                            ("reopen", None)):
        response = api("admin").post(f"/api/reviews/{submission.pk}/{action}/", payload, format="json")
        assert response.status_code == 409, action
        assert response.json()["code"] == "invalid_transition" and "merged" in response.json()["detail"], action
