"""Text from qna.yaml is data: markup in questions, answers, contexts or attribution never reaches the page."""

from __future__ import annotations

import pytest

from taxonomy_app import services

PROBE = "compositional_skills/grounded/security/xss_probe"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
SVG = '"><svg onload=alert(4)>'
TASK = "Spot the <b onmouseover=alert(3)>alert</b> markup in a text."
# Escaped text may show these words; only live markup (an unescaped tag or a javascript: link) is a failure.
RAW_MARKUP = ("<script>alert", "<img", "<svg onload", "<b onmouseover", "onerror=alert(2)>", 'href="javascript:',
              "href='javascript:")


@pytest.fixture
def probe(sample_taxonomy, commit_main, leaf_files):
    changes = leaf_files(
        PROBE, task=TASK,
        questions=[f"What does {SCRIPT} do? ({i})" for i in range(1, 6)],
        answers=[f"It raises an alert {SVG} and nothing else."],
        contexts=[f"A page said {IMG} and then {SCRIPT} alert", "[x](javascript:alert(5)) alert"],
    )
    changes[f"{PROBE}/attribution.txt"] = f"Title of work: {SCRIPT}\nLink to work: javascript:alert(6)\n".encode()
    commit_main(sample_taxonomy, changes)
    services.index_sync()
    return PROBE


def assert_no_markup(html: str, *, scripts_allowed: int) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, raw
    assert html.count("<script") == scripts_allowed  # htmx only


def test_leaf_page_escapes_questions_answers_task_and_attribution(probe, client):
    html = client.get(f"/taxonomy/node/{probe}").content.decode()
    assert_no_markup(html, scripts_allowed=1)
    assert "What does &lt;script&gt;alert(1)&lt;/script&gt; do? (1)" in html
    assert "It raises an alert &quot;&gt;&lt;svg onload=alert(4)&gt; and nothing else." in html
    assert "Spot the &lt;b onmouseover=alert(3)&gt;alert&lt;/b&gt; markup in a text." in html
    assert "<dt>Title of work</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>" in html
    assert html.count('class="seed-card"') == 5
    # Contexts are Markdown, sanitised: the harmless words stay, the markup does not.
    contexts = html.split('<blockquote class="context">')[1:]
    assert len(contexts) == 5 and "A page said" in contexts[0]


def test_yaml_and_checks_tabs_escape_too(probe, client):
    html = client.get(f"/taxonomy/node/{probe}", {"tab": "yaml"}).content.decode()
    assert_no_markup(html, scripts_allowed=1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    checks = client.get(f"/taxonomy/node/{probe}", {"tab": "checks"}).content.decode()
    assert_no_markup(checks, scripts_allowed=1)


def test_tree_and_category_pages_escape_names(probe, client):
    for url in ("/taxonomy/node/compositional_skills/grounded/security", "/taxonomy/coverage/"):
        assert_no_markup(client.get(url).content.decode(), scripts_allowed=1)


def test_search_snippets_are_escaped_then_highlighted(probe, client):
    html = client.get("/taxonomy/search/", {"q": "alert"}).content.decode()
    assert_no_markup(html, scripts_allowed=1)
    assert f'href="/taxonomy/node/{probe}#seed-1"' in html
    snippets = [s.split("</p>")[0] for s in html.split('<p class="snippet">')[1:]]
    assert snippets and all("<mark>alert</mark>" in s for s in snippets)
    assert any("&lt;" in s for s in snippets), snippets
    for s in snippets:
        assert s.replace("<mark>", "").replace("</mark>", "").count("<") == 0, s

    fragment = client.get("/taxonomy/search/", {"q": "alert onerror"}, headers={"HX-Request": "true"})
    assert_no_markup(fragment.content.decode(), scripts_allowed=0)

    data = client.get("/api/taxonomy/search/", {"q": "alert", "limit": "200"}).json()
    # task, 5 answers, 5 contexts (+ 5 questions on SQLite: PostgreSQL's parser drops "<script>alert(1)</script>"
    # as an HTML tag, so those questions are not found by "alert" there).
    assert data["total"] >= 11
    assert {h["field"] for h in data["hits"]} >= {"task_description", "answer", "context"}
    for hit in data["hits"]:
        stripped = hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped, hit


def test_api_returns_the_raw_text_as_json_data(probe, client):
    data = client.get(f"/api/taxonomy/nodes/{probe}").json()
    assert data["contents"]["seed_examples"][0]["question"] == f"What does {SCRIPT} do? (1)"
    assert data["task_description"] == TASK
