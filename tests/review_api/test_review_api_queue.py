"""The queue: filters as review_queue has them, limit/offset pagination, counts, and a constant query count."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taxonomy_app.models import Submission


def _numbers(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["number"] for item in response.json()["results"]]


def test_filters_sorting_and_counts(api, people, row):
    old = row(title="Old knowledge", kind="knowledge", taxonomy_path="knowledge/science/birds",
              assignee=people["triager"])
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    approved = row(people["other"], title="Approved", status="approved", triage_state="approved",
                   taxonomy_path="knowledge/sciences/other", kind="knowledge")
    uncertain = row(title="Uncertain", triage_state="uncertain", labels=["question"], assignee=people["maintainer"])
    row(title="Writing", status="writing")
    client = api("triager")

    assert _numbers(client.get("/api/reviews/")) == [uncertain.pk, approved.pk, old.pk]
    assert _numbers(client.get("/api/reviews/?sort=created_at")) == [old.pk, approved.pk, uncertain.pk]
    assert _numbers(client.get("/api/reviews/?sort=title")) == [approved.pk, old.pk, uncertain.pk]
    assert _numbers(client.get("/api/reviews/?status=approved")) == [approved.pk]
    assert _numbers(client.get("/api/reviews/?status=approved,open")) == [uncertain.pk, approved.pk, old.pk]
    assert _numbers(client.get("/api/reviews/?triage_state=uncertain&triage_state=approved")) == [
        uncertain.pk, approved.pk]
    assert _numbers(client.get("/api/reviews/?kind=knowledge")) == [approved.pk, old.pk]
    assert _numbers(client.get("/api/reviews/?path=knowledge/science")) == [old.pk]
    assert _numbers(client.get("/api/reviews/?assignee=me")) == [old.pk]
    assert _numbers(client.get("/api/reviews/?assignee=none")) == [approved.pk]
    assert _numbers(client.get("/api/reviews/?assignee=maint")) == [uncertain.pk]
    assert _numbers(client.get(f"/api/reviews/?assignee={people['maintainer'].pk}")) == [uncertain.pk]
    assert _numbers(client.get("/api/reviews/?older_than_days=30")) == [old.pk]

    body = client.get("/api/reviews/?status=approved").json()
    assert body["count"] == 1
    assert body["counts"] == {
        "status": {"open": 2, "changes_requested": 0, "approved": 1, "merged": 0, "closed": 0},
        "triage_state": {"needed": 1, "approved": 1, "requested_changes": 0, "rejected": 0, "uncertain": 1,
                         "follow_up": 0},
        "total": {"all": 3}}
    item = body["results"][0]
    assert item | {"created_at": None, "updated_at": None, "url": None} == {
        "number": approved.pk, "title": "Approved", "kind": "knowledge", "taxonomy_path": "knowledge/sciences/other",
        "status": "approved", "triage_state": "approved", "labels": [],
        "author": {"id": people["other"].pk, "username": "dana", "name": "dana"}, "assignee": None,
        "created_at": None, "updated_at": None, "url": None}
    assert item["url"] == f"http://testserver/contribute/submissions/{approved.pk}/"


def test_pagination_and_a_query_count_independent_of_the_page_size(api, people, row):
    for i in range(60):
        row(people["other"] if i % 2 else None, title=f"S{i:02}", assignee=people["triager"] if i % 3 else None)
    client = api("triager")

    first = client.get("/api/reviews/?limit=10&sort=title").json()
    assert first["count"] == 60 and [r["title"] for r in first["results"]] == [f"S{i:02}" for i in range(10)]
    assert first["next"].endswith("/api/reviews/?limit=10&offset=10&sort=title") and first["previous"] is None
    last = client.get("/api/reviews/?limit=10&offset=55&sort=title").json()
    assert [r["title"] for r in last["results"]] == [f"S{i}" for i in range(55, 60)] and last["next"] is None
    assert len(client.get("/api/reviews/").json()["results"]) == 50  # the default page
    assert len(client.get("/api/reviews/?limit=1000").json()["results"]) == 60  # at most 200

    counts = []
    for limit in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"/api/reviews/?limit={limit}").json()["results"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7, counts
