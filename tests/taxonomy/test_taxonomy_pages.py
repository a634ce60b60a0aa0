"""Every page of the taxonomy for every role: what people see, not only status codes."""

from __future__ import annotations

import re

import pytest

from taxonomy_app import services
from taxonomy_app.models import TaxonomyNode

LEAF = "compositional_skills/linguistics/proverbs/explaining_proverbs"
KNOWLEDGE_LEAF = "knowledge/science/astronomy/sundials"
CATEGORY = "compositional_skills/linguistics"
HTMX = {"HX-Request": "true"}


def text(response) -> str:
    return response.content.decode()


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def assert_header_for(html: str, role: str) -> None:
    if role == "anonymous":
        assert 'href="/accounts/login/">Log in</a>' in html
        assert "role-badge" not in html and "Log out" not in html
    else:
        assert f'{role}-user <span class="role-badge">{role}</span>' in html
        assert "Log out" in html
    assert ('href="/admin/"' in html) is (role == "admin")


def test_every_page_for_every_role(sample_taxonomy, client_for, role, repos):
    client = client_for(role)
    documents = repos[1]

    # Home: the roots with their totals.
    html = text(client.get("/"))
    assert "<h1>Teach the model what you know</h1>" in html
    assert re.search(r'href="/taxonomy/node/compositional_skills">\s*<span class="stat-number">8</span>', html)
    assert re.search(r'href="/taxonomy/node/knowledge">\s*<span class="stat-number">2</span>', html)
    assert "Compositional skills topics · 45 examples" in html and "Knowledge topics · 10 examples" in html
    assert ("Create an account" in html) is (role == "anonymous")
    assert_header_for(html, role)

    # The tree: roots only, lazily opened.
    response = client.get("/taxonomy/")
    assert response.status_code == 200
    html = text(response)
    assert "10 topics · 55 seed examples" in html
    assert f'title="{sample_taxonomy.resolve("main")}"' in html
    assert 'hx-get="/taxonomy/children/?path=compositional_skills"' in html
    assert 'hx-get="/taxonomy/children/?path=knowledge"' in html
    assert "explaining_proverbs" not in html  # children are not rendered up front
    assert ("Refresh index from main" in html) is (role == "admin")
    assert_header_for(html, role)

    # Children fragment (htmx) and the redirect for a normal request.
    fragment = text(client.get("/taxonomy/children/", {"path": CATEGORY}, headers=HTMX))
    assert "<html" not in fragment and '<ul class="tree"' in fragment
    assert 'hx-get="/taxonomy/children/?path=compositional_skills/linguistics/proverbs"' in fragment
    assert fragment.index(">proverbs<") < fragment.index(">writing<")
    plain = client.get("/taxonomy/children/", {"path": CATEGORY})
    assert plain.status_code == 302 and plain.url == f"/taxonomy/node/{CATEGORY}"

    # A category page.
    html = text(client.get(f"/taxonomy/node/{CATEGORY}"))
    assert "<h1>linguistics</h1>" in html
    assert "2 topics · 12 seed examples · 12 question/answer pairs" in html
    assert f'href="/taxonomy/node/{CATEGORY}/proverbs"' in html

    # A leaf page with its three tabs.
    html = text(client.get(f"/taxonomy/node/{LEAF}"))
    assert "<h1>explaining_proverbs</h1>" in html and "freeform skill</span>" in html
    assert html.count('class="seed-card"') == 6
    assert "Many hands make light work" in html
    assert 'hx-get="/taxonomy/history/' + LEAF + '"' in html
    assert_header_for(html, role)
    yaml_tab = text(client.get(f"/taxonomy/node/{LEAF}", {"tab": "yaml"}))
    assert '<pre class="yaml"><code>' in yaml_tab and "task_description:" in yaml_tab
    assert 'class="seed-card"' not in yaml_tab
    checks_tab = text(client.get(f"/taxonomy/node/{LEAF}", {"tab": "checks"}))
    assert "Checked with the rules of the upstream taxonomy CI." in checks_tab and "No errors." in checks_tab

    # The knowledge leaf links its document inside LabWeb; the document renders.
    html = text(client.get(f"/taxonomy/node/{KNOWLEDGE_LEAF}"))
    doc_url = f"/taxonomy/documents/{documents.resolve('main')}/astronomy/sundials.md"
    assert doc_url in hrefs(html)
    doc = text(client.get(doc_url))
    assert "<h1>Sundials: How a Shadow Tells the Time</h1>" in doc

    # The lazy history fragment.
    history = text(client.get(f"/taxonomy/history/{LEAF}"))
    assert "Sample taxonomy" in history and "by LabWeb sample authors" in history

    # Search, full page and fragment.
    html = text(client.get("/taxonomy/search/", {"q": "gnomon"}))
    assert "<h1>Search the taxonomy</h1>" in html and "<mark>gnomon</mark>" in html
    fragment = text(client.get("/taxonomy/search/", {"q": "gnomon"}, headers=HTMX))
    assert "<h1>" not in fragment and "<mark>gnomon</mark>" in fragment

    # Coverage.
    html = text(client.get("/taxonomy/coverage/"))
    assert "linguistics: 12 examples in 2 topics" in html

    # Refreshing the index is for admins only.
    response = client.post("/taxonomy/reindex/")
    if role == "admin":
        assert response.status_code == 302 and response.url == "/taxonomy/"
    else:
        assert response.status_code == 403
        assert "403 Forbidden" in text(response)

    # The API is public and the same for everyone.
    assert [n["name"] for n in client.get("/api/taxonomy/tree/").json()] == ["compositional_skills", "knowledge"]
    assert client.get(f"/api/taxonomy/nodes/{LEAF}").json()["seed_count"] == 6
    assert client.get("/api/taxonomy/search/", {"q": "gnomon"}).json()["total"] >= 1

    # Unknown nodes.
    assert client.get("/taxonomy/node/compositional_skills/no_such_thing").status_code == 404
    assert client.get("/api/taxonomy/nodes/no/such/node").status_code == 404


def test_children_fragment_lists_categories_before_leaves_with_counts(sample_taxonomy, client):
    html = text(client.get("/taxonomy/children/", {"path": "compositional_skills/linguistics/proverbs"},
                           headers=HTMX))
    assert f'<a class="tree-leaf" href="/taxonomy/node/{LEAF}">explaining_proverbs</a>' in html
    assert "6 examples" in html
    roots = text(client.get("/taxonomy/children/", headers=HTMX))
    assert roots.index(">compositional_skills<") < roots.index(">knowledge<")
    knowledge = text(client.get("/taxonomy/children/", {"path": "knowledge/science/astronomy"}, headers=HTMX))
    assert "5 examples · 15 Q&amp;A" in knowledge
    # Empty categories (kept by a .gitignore) are still shown, with zero counts.
    top = text(client.get("/taxonomy/children/", {"path": "compositional_skills"}, headers=HTMX))
    assert re.search(r">geography</span>\s*<span class=\"counts\">0 topics · 0 examples", top)
    names = re.findall(r'class="tree-folder">([^<]+)<', top)
    assert names == sorted(names) and "grounded" in names


def test_children_redirects_and_errors(sample_taxonomy, client):
    response = client.get("/taxonomy/children/")
    assert response.status_code == 302 and response.url == "/taxonomy/"
    response = client.get("/taxonomy/children/", {"path": "/knowledge/"})
    assert response.status_code == 302 and response.url == "/taxonomy/node/knowledge"
    assert client.get("/taxonomy/children/", {"path": "knowledge/nope"}, headers=HTMX).status_code == 404
    assert client.post("/taxonomy/children/", {"path": "knowledge"}).status_code == 405


def test_category_page_lists_children_and_empty_categories_invite_contributions(sample_taxonomy, client):
    html = text(client.get("/taxonomy/node/compositional_skills"))
    assert "8 topics · 45 seed examples · 45 question/answer pairs" in html
    assert re.search(r'href="/taxonomy/node/compositional_skills/grounded">grounded</a>\s*'
                     r'<span class="counts">3 topics · 15 examples</span>', html)
    crumbs = text(client.get("/taxonomy/node/knowledge/science/astronomy"))
    assert ('<a href="/taxonomy/node/knowledge">knowledge</a> / <a href="/taxonomy/node/knowledge/science">science'
            '</a> / <span aria-current="page">astronomy</span>') in crumbs
    empty = text(client.get("/taxonomy/node/knowledge/arts"))
    assert "This category has no topics yet: a good place to contribute." in empty
    # A trailing slash does not matter.
    assert "<h1>astronomy</h1>" in text(client.get("/taxonomy/node/knowledge/science/astronomy/"))


def test_leaf_content_tab_shows_cards_attribution_and_metadata(sample_taxonomy, client):
    html = text(client.get(f"/taxonomy/node/{LEAF}"))
    assert "Version 3 · by <strong>labweb-samples</strong> · 6 seed examples" in html
    assert '<span class="badge valid">passes taxonomy checks</span>' in html
    assert "<h2>What this teaches</h2>" in html and "Explain what a common English proverb means" in html
    for number in range(1, 7):
        assert f'id="seed-{number}"' in html
    assert 'id="seed-7"' not in html
    assert '<span class="label">Q</span> What does &quot;Many hands make light work&quot; mean?' in html
    assert "<dt>Title of work</dt><dd>Explaining proverbs in plain language</dd>" in html
    assert "<dt>License of the work</dt><dd>CC-BY-4.0</dd>" in html
    assert ('<a href="https://labweb.invalid/samples/explaining_proverbs" rel="nofollow">'
            'https://labweb.invalid/samples/explaining_proverbs</a>') in html
    assert '<a href="?tab=content" aria-current="page">Examples</a>' in html


def test_knowledge_leaf_shows_contexts_and_document(sample_taxonomy, client, repos):
    documents = repos[1]
    html = text(client.get(f"/taxonomy/node/{KNOWLEDGE_LEAF}"))
    assert "5 seed examples · 15 question/answer pairs" in html
    assert "<h2>Domain</h2><p>astronomy and timekeeping</p>" in html
    assert html.count('<blockquote class="context">') == 5
    assert html.count('<div class="qa">') == 15
    assert f"<dd><code>{documents.path.resolve().as_uri()}</code></dd>" in html
    assert f"<dd><code>{documents.resolve('main')}</code></dd>" in html
    links = [h for h in hrefs(html) if h.startswith("/taxonomy/documents/")]
    assert links == [f"/taxonomy/documents/{documents.resolve('main')}/astronomy/sundials.md"]
    canal = text(client.get("/taxonomy/node/knowledge/history/local_history/millbrook_canal"))
    assert f"/taxonomy/documents/{documents.resolve('main')}/history/millbrook_canal.md" in hrefs(canal)


def test_leaf_yaml_and_checks_tabs(sample_taxonomy, client, commit_main, leaf_files):
    html = text(client.get(f"/taxonomy/node/{LEAF}", {"tab": "yaml"}))
    assert '<a href="?tab=yaml" aria-current="page">View YAML</a>' in html
    assert "version: 3" in html and "created_by: labweb-samples" in html
    assert "<h3>attribution.txt</h3>" in html and "Title of work: Explaining proverbs" in html
    assert "&#x27;What does &quot;Many hands make light work&quot; mean?&#x27;" in html  # escaped, quotes too

    # A leaf that fails the checks shows each error with its line in the Checks tab.
    broken = b"version: 3\ncreated_by: someone\ntask_description: too short\nseed_examples:\n  - question: q\n    answr: a\n"
    commit_main(sample_taxonomy, {"compositional_skills/linguistics/broken/qna.yaml": broken,
                                  "compositional_skills/linguistics/broken/attribution.txt": b"x\n"})
    services.index_sync()
    page = text(client.get("/taxonomy/node/compositional_skills/linguistics/broken"))
    assert '<span class="badge invalid">needs fixing</span>' in page
    checks = text(client.get("/taxonomy/node/compositional_skills/linguistics/broken", {"tab": "checks"}))
    errors = TaxonomyNode.objects.get(path="compositional_skills/linguistics/broken").validation["errors"]
    assert errors and f"Checks ({len(errors)})" in checks
    assert "No errors." not in checks
    assert "line 6, column 5" in checks and "R10-unknown-key" in checks and "answr" in checks
    assert "R12-too-few-seeds" in checks
    # And the tree marks it.
    tree = text(client.get("/taxonomy/children/", {"path": "compositional_skills/linguistics"}, headers=HTMX))
    assert 'title="Fails the taxonomy checks">needs fixing</span>' in tree


def test_history_lists_commits_that_touched_the_leaf(sample_taxonomy, client, commit_main):
    first = sample_taxonomy.resolve("main")
    html = text(client.get(f"/taxonomy/history/{LEAF}"))
    assert "<html" not in html
    assert f'<code title="{first}">{first[:7]}</code> <span class="summary">Sample taxonomy</span>' in html
    from django.utils import timezone

    date = timezone.localtime(sample_taxonomy.commit_info(first).authored_at)  # shown in TIME_ZONE
    assert f'<time datetime="{date.isoformat()}">{date.strftime("%Y-%m-%d %H:%M")}</time>' in html

    qna = sample_taxonomy.read_blob("main", f"{LEAF}/qna.yaml").replace(b"labweb-samples", b"someone-else")
    second = commit_main(sample_taxonomy, {f"{LEAF}/qna.yaml": qna}, message="Credit someone else")
    commit_main(sample_taxonomy, {"README.md": b"unrelated\n"}, message="Unrelated change")
    services.index_sync()
    html = text(client.get(f"/taxonomy/history/{LEAF}"))
    assert html.index(second[:7]) < html.index(first[:7])  # newest first
    assert "Credit someone else" in html and "by Test Author" in html
    assert "Unrelated change" not in html
    other = text(client.get("/taxonomy/history/knowledge/science/astronomy/sundials"))
    assert "Credit someone else" not in other and "Sample taxonomy" in other
    assert client.get("/taxonomy/history/compositional_skills/nope").status_code == 404


def test_search_page_full_and_fragment(sample_taxonomy, client):
    html = text(client.get("/taxonomy/search/"))
    assert "Type a word or two" in html and '<ol class="search-hits">' not in html

    html = text(client.get("/taxonomy/search/", {"q": "gnomon"}))
    assert 'value="gnomon"' in html
    assert re.search(r"\d+ match(es)? for “gnomon”", html)
    assert f'href="/taxonomy/node/{KNOWLEDGE_LEAF}#seed-1"' in html
    assert "<mark>gnomon</mark>" in html

    fragment = text(client.get("/taxonomy/search/", {"q": "proverb"}, headers=HTMX))
    assert "<html" not in fragment and "<form" not in fragment
    assert f'href="/taxonomy/node/{LEAF}"' in fragment  # the task description hit has no seed anchor
    assert "Task description" in fragment and re.search(r"<mark>proverb", fragment, re.I)

    nothing = text(client.get("/taxonomy/search/", {"q": "xylophonequartz"}))
    assert "0 matches for “xylophonequartz”" in nothing and "Nothing matched." in nothing


def test_search_type_filter(sample_taxonomy, client):
    everything = text(client.get("/taxonomy/search/", {"q": "water"}))
    assert "badge knowledge" in everything and "badge freeform_skill" in everything
    only_knowledge = text(client.get("/taxonomy/search/", {"q": "water", "type": "knowledge"}))
    assert "in knowledge topics." in only_knowledge
    assert "badge knowledge" in only_knowledge
    assert "badge freeform_skill" not in only_knowledge and "badge grounded_skill" not in only_knowledge
    assert '<option value="knowledge" selected>' in only_knowledge
    grounded = text(client.get("/taxonomy/search/", {"q": "water", "type": "grounded_skill"}))
    assert "badge grounded_skill" in grounded and "badge knowledge\"" not in grounded.split("search-hits")[1]
    # An unknown type is ignored rather than an error.
    bogus = text(client.get("/taxonomy/search/", {"q": "water", "type": "bogus"}))
    assert "badge knowledge" in bogus and "badge freeform_skill" in bogus


def test_search_pager(sample_taxonomy, client, commit_main, leaf_files):
    questions = [f"Is quokka fact {i} true?" for i in range(1, 31)]
    commit_main(sample_taxonomy, leaf_files("compositional_skills/animals/quokkas", questions=questions,
                                            answers=["Yes, the quokka fact is true."]))
    services.index_sync()
    page1 = text(client.get("/taxonomy/search/", {"q": "quokka"}))
    assert "60 matches for “quokka”" in page1
    assert page1.count('<li class="hit">') == 25
    assert 'href="?q=quokka&type=&page=2">Next</a>' in page1 and "Previous" not in page1
    page2 = text(client.get("/taxonomy/search/", {"q": "quokka", "page": "2"}))
    assert page2.count('<li class="hit">') == 25
    assert 'href="?q=quokka&type=&page=1">Previous</a>' in page2 and 'page=3">Next</a>' in page2
    page3 = text(client.get("/taxonomy/search/", {"q": "quokka", "page": "3"}))
    assert page3.count('<li class="hit">') == 10 and "Next</a>" not in page3
    seen = set()
    for html in (page1, page2, page3):
        for anchor, field in re.findall(r'quokkas(#seed-\d+)">.*?<span class="field">(\w+)', html, re.S):
            seen.add((anchor, field))
    assert len(seen) == 60, "the pages overlap or miss hits"
    for bad in ("0", "-3", "abc"):
        assert text(client.get("/taxonomy/search/", {"q": "quokka", "page": bad})).count('<li class="hit">') == 25
    beyond = text(client.get("/taxonomy/search/", {"q": "quokka", "page": "9"}))
    assert "Nothing matched." in beyond and 'page=8">Previous</a>' in beyond


def test_coverage_page(sample_taxonomy, client):
    html = text(client.get("/taxonomy/coverage/"))
    assert "<h1>Where the taxonomy is thick and where it is thin</h1>" in html
    assert "<h2>compositional_skills</h2>" in html and "<h2>knowledge</h2>" in html
    assert '<svg class="bar-chart" role="img"' in html
    assert "grounded: 15 examples in 3 topics" in html
    assert "history: 5 examples in 1 topic<" in html
    assert "geography: no topics yet" in html and "nothing yet" in html
    # The bars are sorted by seed examples and link to the categories.
    block = html.split("<h2>compositional_skills</h2>")[1].split("</svg>")[0]
    labels = re.findall(r'class="bar-label">([^<]+)<', block)
    assert labels[:2] == ["grounded", "linguistics"] and labels[-1] in {"geography", "history"}
    assert 'href="/taxonomy/node/compositional_skills/grounded"' in block
    # The table twin holds the same numbers.
    assert re.search(r'<td><a href="/taxonomy/node/knowledge/science">knowledge/science</a></td>'
                     r"<td>1</td><td>5</td><td>15</td>", html)


def test_coverage_of_an_empty_taxonomy(db, repos, client):
    assert "The taxonomy is empty." in text(client.get("/taxonomy/coverage/"))
    assert "The taxonomy is empty." in text(client.get("/"))
    assert "Nothing here yet." in text(client.get("/taxonomy/"))


def test_document_view_renders_markdown_safely(sample_taxonomy, client, repos):
    from taxonomy_app.git import Author

    documents = repos[1]
    commit = documents.commit_files(ref="main", changes={
        "notes/evil.md": (b"# Notes\n\nSome **bold** text.\n\n<script>alert('doc')</script>\n\n"
                          b"[click](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
        "data/table.csv": b"a,b\n1,2\n",
    }, message="Add notes", author=Author("Doc Writer", "docs@example.test"))
    html = text(client.get(f"/taxonomy/documents/{commit}/notes/evil.md"))
    assert "<h1>Notes</h1>" in html and "<strong>bold</strong>" in html
    assert "<table>" in html and "<td>1</td>" in html
    body = html.split('<article class="document-body">')[1].split("</article>")[0]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body and "<img" not in body
    assert f"at commit <code>{commit}</code>" in html
    # A short commit id works; other files are downloads, not pages.
    assert "<h1>Notes</h1>" in text(client.get(f"/taxonomy/documents/{commit[:12]}/notes/evil.md"))
    download = client.get(f"/taxonomy/documents/{commit}/data/table.csv")
    assert download.status_code == 200 and download["Content-Disposition"] == "attachment"
    assert download["Content-Type"] == "application/octet-stream" and download.content == b"a,b\n1,2\n"


@pytest.mark.parametrize("suffix", [
    "{commit}/astronomy/no_such_file.md",      # missing file
    "{commit}/astronomy",                      # a directory
    "0123456789abcdef0123456789abcdef01234567/astronomy/sundials.md",  # unknown commit
    "not-a-commit/astronomy/sundials.md",      # not hex
    "ABCDEF1234/astronomy/sundials.md",        # upper case is not a commit id here
    "{commit}/../../etc/passwd",               # path traversal
    "{commit}/astronomy/../../../etc/passwd",
    "{commit}/%2e%2e/%2e%2e/etc/passwd",
    "{commit}//etc/passwd",
    "HEAD/astronomy/sundials.md",
    "main/astronomy/sundials.md",
])
def test_document_view_404s(sample_taxonomy, client, repos, suffix):
    commit = repos[1].resolve("main")
    response = client.get("/taxonomy/documents/" + suffix.format(commit=commit))
    assert response.status_code == 404
    assert b"root:" not in response.content


def test_unknown_nodes_are_404(sample_taxonomy, client):
    for url in ("/taxonomy/node/nope", "/taxonomy/node/knowledge/science/astronomy/sundials/extra",
                "/taxonomy/node/../etc/passwd", "/taxonomy/history/nope", "/taxonomy/node/Knowledge"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not Found" in text(response)


def test_reindex_forbidden_for_everyone_but_admins(sample_taxonomy, client_for, role, commit_main, leaf_files,
                                                   django_capture_on_commit_callbacks, eager_celery):
    client = client_for(role)
    commit_main(sample_taxonomy, leaf_files("compositional_skills/linguistics/riddles"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/taxonomy/reindex/")
    appeared = TaxonomyNode.objects.filter(path="compositional_skills/linguistics/riddles").exists()
    if role == "admin":
        assert response.status_code == 302 and response.url == "/taxonomy/"
        assert len(callbacks) == 1 and appeared
    else:
        assert response.status_code == 403 and not callbacks and not appeared
    assert client.get("/taxonomy/reindex/").status_code == 405


def test_admin_reindex_follows_new_commits(sample_taxonomy, client_for, commit_main, leaf_files, repos,
                                           django_capture_on_commit_callbacks, eager_celery):
    from taxonomy_app.models import IndexState

    client = client_for("admin")
    head = commit_main(sample_taxonomy, {
        **leaf_files("compositional_skills/hobbies/knitting/stitches", n=7),
        "compositional_skills/linguistics/proverbs/explaining_proverbs/qna.yaml": None,
        "compositional_skills/linguistics/proverbs/explaining_proverbs/attribution.txt": None,
    })
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/taxonomy/reindex/")
    assert response.status_code == 302
    html = text(client.get(response.url))
    assert "The index is being refreshed from main in the background." in html
    assert "10 topics · 56 seed examples" in html  # +1 leaf with 7 seeds, -1 leaf with 6
    assert IndexState.objects.get(ref="main").commit_sha == head
    assert TaxonomyNode.objects.get(path="compositional_skills/hobbies").seed_count == 7
    assert not TaxonomyNode.objects.filter(path__startswith="compositional_skills/linguistics/proverbs").exists()
    assert client.get(f"/taxonomy/node/{LEAF}").status_code == 404

    # full=1 rebuilds everything; the result is the same index.
    before = dict(TaxonomyNode.objects.values_list("path", "seed_count"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/taxonomy/reindex/", {"full": "1"}).status_code == 302
    assert dict(TaxonomyNode.objects.values_list("path", "seed_count")) == before
