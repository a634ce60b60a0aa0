"""The queue: filters, sort, counts, pagination, htmx fragments; metrics and the audit log."""

from __future__ import annotations

import re


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="/reviews/(\d+)/">', html)]


def test_queue_filters_sort_and_counts(client, people, submit):
    from taxonomy_app import reviews

    a = submit(people["author"], leaf_name="leaf_a")[1]
    b = submit(people["author"], leaf_name="leaf_b")[1]
    c = submit(people["other"], leaf_name="leaf_c")[1]
    triager = people["triager"]
    reviews.submission_assign(submission=a, actor=triager, assignee=triager)
    reviews.submission_triage(submission=b, actor=triager, state="uncertain")
    reviews.submission_close(submission=c, actor=triager, reason="Off topic.")
    client.force_login(triager)

    html = client.get("/reviews/").content.decode()
    assert _numbers(html) == [c.pk, b.pk, a.pk]  # newest first
    assert re.search(r'<span class="n">1</span> uncertain', html)
    assert re.search(r'<span class="n">3</span> all', html)
    assert _numbers(client.get("/reviews/", {"sort": "created_at"}).content.decode()) == [a.pk, b.pk, c.pk]
    assert _numbers(client.get("/reviews/", {"assignee": "me"}).content.decode()) == [a.pk]
    assert _numbers(client.get("/reviews/", {"assignee": "none"}).content.decode()) == [c.pk, b.pk]
    assert _numbers(client.get("/reviews/", {"triage_state": "uncertain"}).content.decode()) == [b.pk]
    assert _numbers(client.get("/reviews/", {"status": "closed"}).content.decode()) == [c.pk]
    assert _numbers(client.get("/reviews/", {"kind": "knowledge"}).content.decode()) == []
    assert len(_numbers(client.get("/reviews/", {"path": "compositional_skills/linguistics"}).content.decode())) == 3
    assert _numbers(client.get("/reviews/", {"path": "compositional_skills/ling"}).content.decode()) == []
    assert _numbers(client.get("/reviews/", {"age": "7"}).content.decode()) == []

    response = client.get("/reviews/", {"status": "bogus"})
    assert response.status_code == 400 and "Unknown status bogus" in response.content.decode()

    fragment = client.get("/reviews/", {"status": "open"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="queue-results").content.decode()
    assert fragment.lstrip().startswith('<div id="queue-results"') and "<html" not in fragment
    assert _numbers(fragment) == [b.pk, a.pk]


def test_queue_pagination(client, people, submit, monkeypatch):
    from taxonomy_app import review_views

    monkeypatch.setattr(review_views, "PAGE_SIZE", 2)
    made = [submit(people["author"], leaf_name=f"leaf_{i}")[1] for i in range(3)]
    client.force_login(people["triager"])
    first = client.get("/reviews/", {"kind": "freeform_skill"}).content.decode()
    assert _numbers(first) == [made[2].pk, made[1].pk]
    assert "page 1 of 2" in first and 'href="?kind=freeform_skill&amp;page=2"' in first
    assert _numbers(client.get("/reviews/", {"kind": "freeform_skill", "page": 2}).content.decode()) == [made[0].pk]
    assert _numbers(client.get("/reviews/", {"page": "99"}).content.decode()) == [made[0].pk]  # the last page


def test_metrics_and_audit(client, people, submission):
    from taxonomy_app import reviews

    reviews.submission_triage(submission=submission, actor=people["triager"], state="follow_up")
    client.force_login(people["admin"])
    html = client.get("/reviews/metrics").content.decode()
    assert html.count('<svg class="bar-chart"') == 3
    assert "Time to first triage" in html and "1 submission" in html
    html = client.get("/reviews/audit", {"verb": "submission.triaged"}).content.decode()
    assert "submission.triaged" in html and f'href="/reviews/{submission.pk}/"' in html
    assert "submission.submitted</code>" not in html
    html = client.get("/reviews/audit", {"actor": "nobody-at-all"}).content.decode()
    assert "No event matches." in html
    html = client.get("/reviews/audit", {"target": f"taxonomy_app.submission:{submission.pk}"}).content.decode()
    assert "submission.submitted</code>" in html
