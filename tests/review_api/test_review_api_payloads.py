"""Bad payloads and bad queue parameters are 400s that say what is wrong; nothing changes."""

from __future__ import annotations

import pytest

from taxonomy_app.models import Comment, Submission

CASES = [
    ("triage", {}, {"state": ["This field is required."]}),
    ("triage", {"state": 5}, {"state": ["Must be a string, not a number."]}),
    ("triage", {"state": "maybe"}, "Unknown triage state 'maybe'; choose one of needed, approved, "
                                   "requested_changes, rejected, uncertain, follow_up."),
    ("triage", {"state": "uncertain", "colour": "red"},
     {"colour": ["Unknown field; the fields here are: state, note."]}),
    ("assign", {}, {"username": ["This field is required."]}),
    ("assign", {"username": 3}, {"username": ["Must be a string, not a number."]}),
    ("labels", {}, {"add": ["Give at least one label to add or to remove."]}),
    ("labels", {"add": "legal-hold"}, {"add": ["Must be a list, not a string."]}),
    ("labels", {"add": ["nope"]}, "Unknown label(s) nope; choose from dco-requested, help-wanted, legal-hold, "
                                  "precheck-generate-ready, question, sdg-unsuccessful, topic-failure."),
    ("labels", {"add": ["question"], "remove": ["question"]}, "A label cannot be added and removed at once: "
                                                              "question."),
    ("request-changes", {}, {"message": ["This field is required."]}),
    ("request-changes", {"message": ""}, {"message": ["This field may not be blank."]}),
    ("request-changes", {"message": "   "}, "Say why: requesting changes needs a message for the contributor."),
    ("close", {"reason": ["x"]}, {"reason": ["Must be a string, not a list."]}),
    ("close", {}, "Say why: closing someone else's submission needs a message for the contributor."),
    ("approve", {"force": True}, {"force": ["Unknown field; this request takes no fields."]}),
    ("merge", {"strategy": "squash"}, {"strategy": ['Unknown merge strategy "squash"; choose one of merge, '
                                                    'fast-forward-only.']}),
    ("comments", {}, {"body": ["This field is required."]}),
    ("comments", {"body": ""}, {"body": ["This field may not be blank."]}),
    ("comments", {"body": "x" * 20_001}, {"body": ["Ensure this field has no more than 20000 characters."]}),
    ("comments", {"body": "x", "revision": "1"}, {"revision": ["Must be a whole number, not a string."]}),
    ("comments", {"body": "x", "revision": True}, {"revision": ["Must be a whole number, not a boolean."]}),
    ("comments", {"body": "x", "revision": 9}, "Submission #{n} has no revision 9."),
    ("comments", {"body": "x", "parent": 987654}, "Submission #{n} has no comment 987654."),
    ("comments", {"body": "x", "anchor": "seed-9"}, "Revision 1 has 5 seed examples; there is no seed 9."),
    ("comments", {"body": "x", "anchor": "line-3"}, "Unknown place 'line-3': use seed-N or seed-N-pair-M."),
    ("comments", ["body"], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ("resolve", {"resolved": "yes"}, {"resolved": ["Must be true or false, not a string."]}),
    ("resolve", {}, {"resolved": ["This field is required."]}),
]


@pytest.mark.parametrize(("action", "payload", "expected"), CASES,
                         ids=[f"{a}-{i}" for i, (a, _, _) in enumerate(CASES)])
def test_a_bad_payload_is_400_saying_why(api, row, repos, action, payload, expected):
    submission = row()
    thread = Comment.objects.create(submission=submission, author=submission.author, body="A thread.")
    url = (f"/api/reviews/comments/{thread.pk}/resolve/" if action == "resolve"
           else f"/api/reviews/{submission.pk}/{action}/")
    before = Submission.objects.filter(pk=submission.pk).values().get()

    response = api("admin").post(url, payload, format="json")

    assert response.status_code == 400, response.json()
    if isinstance(expected, str):
        assert response.json() == {"detail": expected.format(n=submission.pk), "code": "invalid_input"}
    else:
        assert response.json() == expected
    assert Submission.objects.filter(pk=submission.pk).values().get() == before
    assert Comment.objects.filter(submission=submission).count() == 1


def test_malformed_json_and_other_media_types(api, row):
    submission = row()
    client = api("triager")
    broken = client.post(f"/api/reviews/{submission.pk}/triage/", data='{"state": ', content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"].startswith("JSON parse error")
    form = client.post(f"/api/reviews/{submission.pk}/triage/", {"state": "uncertain"})  # multipart
    assert form.status_code == 415
    assert Submission.objects.get(pk=submission.pk).triage_state == "needed"


@pytest.mark.parametrize(("query", "message"), [
    ("colour=red", "Unknown parameter(s) colour; the parameters here are: status, triage_state, kind, path, "
                   "assignee, older_than_days, sort, limit, offset."),
    ("status=bogus", "Unknown status bogus; choose from open, changes_requested, approved, merged, closed."),
    ("status=writing", "Unknown status writing; choose from open, changes_requested, approved, merged, closed."),
    ("triage_state=open", "Unknown triage state open; choose from needed, approved, requested_changes, rejected, "
                          "uncertain, follow_up."),
    ("kind=poem", "Unknown kind poem; choose from freeform_skill, grounded_skill, knowledge."),
    ("sort=age", "Unknown sort 'age'; choose one of created_at, -created_at, updated_at, -updated_at, title, -title."),
    ("older_than_days=old", "older_than_days must be a whole number of days, not 'old'."),
    ("older_than_days=-3", "older_than_days cannot be negative."),
    ("assignee=ghost", "Unknown assignee 'ghost': use me, none, a user id or a username."),
])
def test_bad_queue_parameters_are_400(api, row, query, message):
    row()
    response = api("triager").get(f"/api/reviews/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": message, "code": "invalid_input"}
